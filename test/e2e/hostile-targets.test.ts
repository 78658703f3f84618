// Targets that talk back: a process that answers as a Node inspector and sends what it likes, and
// processes whose names, classes and constructors are terminal escapes. Each case runs the real
// binary under a time bound; refusals are one line with exit 3 (the target), never 4 or 70, and no
// raw ESC or BEL reaches stdout or stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { collect, runBin, startFixture, waitFor, type BinResult } from '../helpers/procs.js';
import { PROGRAMS } from '../helpers/paths.js';

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

const HOSTILE = '\x1b]0;pwned\x07\x1b[2J';
const SHOWN = /\\x1b\]0;pwned\\x07\\x1b\[2J/;

test('JS constructor and holder names from a snapshot file are escaped in text, JSON and HTML', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-hostile-snap-'));
  const gen = startFixture(path.join(PROGRAMS, 'node-hostile-snapshots.js'), [dir]);
  await collect(gen, BOUND_MS);
  for (const f of ['a', 'b']) {
    // The planter edits the strings table: a constructor and a global named with escapes and a bidi override.
    const p = path.join(dir, `${f}.heapsnapshot`);
    const s = JSON.parse(readFileSync(p, 'utf8')) as { strings: string[] };
    s.strings = s.strings.map((x) => (x === 'HostileCtor' ? HOSTILE : x === 'hostileHoard' ? `\u202ehoard${HOSTILE}` : x));
    writeFileSync(p, JSON.stringify(s));
  }
  const files = ['--snapshot', path.join(dir, 'a.heapsnapshot'), path.join(dir, 'b.heapsnapshot'), '--interval', '60'];
  const html = path.join(dir, 'p.html');
  const text = await runBin('leak-profile', [...files, '--html', html], { timeoutMs: BOUND_MS });
  assert.equal(text.code, 0, text.stderr);
  assertNoRawControl(text);
  assert.match(text.stdout, SHOWN);
  assert.match(text.stdout, /\\u\{202e\}hoard/);
  assert.doesNotMatch(readFileSync(html, 'utf8'), /[\x1b\x07\u202e]/);
  const json = await runBin('leak-profile', [...files, '--json'], { timeoutMs: BOUND_MS });
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, /\\u001b|\\u0007|\u202e/i, 'JSON carries the escaped text, not the raw escape');
  assert.equal((JSON.parse(json.stdout) as { growing: { type: string }[] }).growing[0]!.type, '\\x1b]0;pwned\\x07\\x1b[2J');
});

test("a process whose comm, cmdline, class and holder are escapes: leak-track, --list, leak-report and leak-profile print them escaped", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-hostile-names-'));
  const t = startFixture('py_hostile_names.py', [HOSTILE, '120']);
  try {
    let out = '';
    t.stdout!.on('data', (c) => (out += c));
    await waitFor(() => /ready/.test(out), 20_000, 'the hostile process to be ready');
    const db = path.join(dir, 't.db');
    const track = await runBin('leak-track', [String(t.pid), '2s', '0.2', '--db', db, '--no-children'], { timeoutMs: BOUND_MS });
    assert.ok(track.code === 0 || track.code === 1, track.stderr);
    assertNoRawControl(track);
    assert.match(track.stdout, SHOWN, 'the comm is shown, escaped');
    const list = await runBin('leak-track', ['--match', 'pwned', '--list'], { timeoutMs: BOUND_MS });
    assert.equal(list.code, 0, list.stderr);
    assertNoRawControl(list);
    // The line shows the cmdline escaped, cut at 100 characters: where the checkout's path is long the
    // hostile argument falls past the cut, so the expectation is built from what /proc holds, escaped by hand.
    const argv = readFileSync(`/proc/${t.pid}/cmdline`, 'latin1').replace(/\0$/, '').split('\0').join(' ');
    const byHand = argv.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).slice(0, 100);
    const line = list.stdout.split('\n').find((l) => l.includes(` ${t.pid} `) || l.trimStart().startsWith(`${t.pid} `)) ?? '';
    assert.ok(line.endsWith(byHand), `the cmdline is shown, escaped (cut at 100 characters): ${JSON.stringify(line)} vs ${JSON.stringify(byHand)}`);
    const report = await runBin('leak-report', ['--db', db], { timeoutMs: BOUND_MS });
    assert.equal(report.code, 0, report.stderr);
    assertNoRawControl(report);
    const prof = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '2', '--interval', '1'], { timeoutMs: BOUND_MS });
    assert.equal(prof.code, 0, prof.stderr);
    assertNoRawControl(prof);
    assert.match(prof.stdout, /\\x1b\]0;pwned\\x07\\x1b\[2JClass/, 'the Python class name is shown, escaped');
  } finally {
    t.kill('SIGKILL');
  }
});
