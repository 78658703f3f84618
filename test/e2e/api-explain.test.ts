// The library's track({ explain }) is leak-track --explain: the same Explainer, the same --explain-out
// checks, the profile stored with the session and returned in report.explain (docs/library-api.md).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isLeakError, readReport, track } from '../../src/index.js';
import { PROGRAMS } from '../helpers/paths.js';

const work = mkdtempSync(path.join(tmpdir(), 'ld-api-explain-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('track({ explain }) profiles the leaking command it launched, keeps the captures in outDir, and returns the profile in report.explain', async () => {
  const db = path.join(work, 'api.db');
  const outDir = path.join(work, 'captures');
  const stop = new AbortController();
  const notices: string[] = [];
  const r = await track({
    // ~300 MB/min kept by listeners (explain-node.test.ts's target)
    command: [process.execPath, '--inspect-port=127.0.0.1:0', path.join(PROGRAMS, 'node-holders.js'), '--shape', 'listener', '--rate', '5', '--floats', '131072', '--lifetime', '600'],
    db, durationS: 60, intervalS: 0.5, signal: stop.signal,
    explain: { intervalS: 1, outDir },
    onNotice: (m) => {
      notices.push(m);
      // the profile's end is what this test is about: stop once it is stored (or given up)
      if (/^explain: (profile of .* stored with the session|no profile of )/.test(m)) stop.abort('SIGTERM');
    },
  });
  const e = r.report.explain?.[0];
  assert.ok(e, notices.join('\n'));
  assert.equal(e.status, 'done', `${e.message} ${notices.join('\n')}`);
  assert.match(e.top_holder ?? '', /^PrefetchedBatch kept in /, e.paragraph);
  assert.ok(notices.some((m) => /^explain: node \d+ \(main\) is growing .*; profiling it \(node\)/.test(m)), notices.join('\n'));
  assert.equal(readdirSync(path.join(outDir, `${e.pid}-1`)).filter((f) => f.endsWith('.heapsnapshot')).length, 3);
  // what was stored reads back as leak-report --json does, the profile included
  assert.deepEqual(readReport(db)[0]!.explain, r.report.explain);
});

test('track({ explain: { outDir } }) refuses a symbolic link before anything is launched or recorded', async () => {
  const real = path.join(work, 'real');
  mkdirSync(real, { mode: 0o700 });
  const link = path.join(work, 'link');
  symlinkSync(real, link);
  const db = path.join(work, 'refused.db');
  const marker = path.join(work, 'launched');
  await assert.rejects(
    track({ command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`], db, durationS: 5, intervalS: 0.5, explain: { outDir: link } }),
    (err: unknown) => isLeakError(err) && err.exitCode === 2 && err.message === `explain.outDir ${link} is a symbolic link; give the real directory (leak-profile never writes through links)`,
  );
  assert.equal(existsSync(db), false);
  assert.equal(existsSync(marker), false);
  await assert.rejects(track({ command: ['true'], db, explain: { maxPerProcess: 0 } }), /explain\.maxPerProcess must be a whole number from 1 to 100/);
});
