// leak-check's line shows the bound as a person reads it: --max-rate 500KB/s is 29.296875 MB/min, and
// the FAIL line said `> 29.296875`; it says `> 29.3` (a whole bound such as 50 stays `50`, as DESIGN.md shows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { FIXTURES } from '../helpers/paths.js';
import { runBin, startFixture } from '../helpers/procs.js';
import { trackUntilChecked } from '../helpers/track-until.js';
import { waitForGrowth } from '../helpers/wait.js';

const CSV = path.join(FIXTURES, 'recordings', 'numpy-cache.csv'); // a real recording growing 30 MB/min

test('leak-check --max-rate 500KB/s prints the bound as 29.3, not 29.296875; 50 stays 50', async () => {
  const junit = path.join(mkdtempSync(path.join(tmpdir(), 'ld-bound-')), 'j.xml');
  const fail = await runBin('leak-check', ['--trace', CSV, '--max-rate', '500KB/s', '--junit', junit]);
  assert.equal(fail.code, 1, fail.stdout + fail.stderr);
  assert.match(fail.stdout, /^FAIL python3 \d+: growing [\d.]+ MB\/min \(CI [\d.]+–[\d.]+\) > 29\.3$/m);
  // the JUnit suite and its failure message name the bound the same way
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /leak-check --max-rate 29\.3"/);
  assert.doesNotMatch(xml, /29\.29/);
  const pass = await runBin('leak-check', ['--trace', CSV, '--max-rate', '50']);
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /^PASS python3 \d+: growing [\d.]+ MB\/min \(CI [\d.]+–[\d.]+\) ≤ 50 MB\/min/m);
});

test('leak-track --max-rate 500KB/s: the headline names the bound as the FAIL line does (29.3), not 29.296875', async () => {
  const leaker = startFixture('leaker.py', ['--rate', '300', '--lifetime', '600']);
  try {
    await waitForGrowth(leaker.pid!, 3);
    // Until leak-check FAILs the readings so far (then the leaker exits, the tracker with it): a fixed 8 s
    // read insufficient-data on a loaded box (fresh-clone run with one core busy).
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'ld-bound-')), 'b.db');
    const r = await trackUntilChecked(leaker, db, ['--interval', '0.5', '--max-rate', '500KB/s'], ['--max-rate', '500KB/s']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /29\.29/);
    assert.match(r.stdout, /above the --max-rate 29\.3 MB\/min bound/);
  } finally {
    leaker.kill();
  }
});
