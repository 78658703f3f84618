// Targets that talk back: a process that answers as a Node inspector and sends what it likes, and
// processes whose names, classes and constructors are terminal escapes. Each case runs the real
// binary under a time bound; refusals are one line with exit 3 (the target), never 4 or 70, and no
// raw ESC or BEL reaches stdout or stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, startFixture, waitFor, type BinResult } from '../helpers/procs.js';

const BOUND_MS = 60_000;

function assertNoRawControl(r: BinResult): void {
  for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    assert.doesNotMatch(text, /[\x1b\x07\x9b]/, `${stream} carries a raw control character: ${JSON.stringify(text.slice(0, 400))}`);
  }
}

function assertRefused(r: BinResult, code: number, re: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}, want ${code}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n').filter((l) => !/^leak-profile: (attaching|snapshot|using|analysing)/.test(l));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(r.stderr, /internal error|free some space|\n\s+at /);
  assertNoRawControl(r);
}

test('a hostile inspector: a snapshot chunk that is not a string, a heap usage that is not a number, replies that are not CDP: exit 3, one line', async () => {
  const cases: [string, RegExp][] = [
    ['chunk-number', /inspector sent a heap snapshot chunk that is an? (object|number), not text/],
    ['usage-nan', /answered Runtime.getHeapUsage without a heap size/],
    ['garbage', /the inspector sent a message that is not an object; it does not speak the DevTools protocol/],
  ];
  for (const [mode, re] of cases) {
    const t = startFixture('node-hostile-inspector.js', [mode]);
    try {
      let out = '';
      t.stdout!.on('data', (c) => (out += c));
      await waitFor(() => /listening \d+/.test(out), 10_000, 'the hostile inspector to listen');
      const dir = mkdtempSync(path.join(tmpdir(), 'ld-hostile-insp-'));
      const r = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '2', '--interval', '1', '--out', dir], { timeoutMs: BOUND_MS });
      assertRefused(r, 3, re);
      assert.deepEqual(readdirSync(dir).filter((f) => !f.startsWith('.')), [], 'no half snapshot left behind');
    } finally {
      t.kill('SIGKILL');
    }
  }
});
