// --metric naming a series the input never read is bad input (exit 2, one line naming what it holds),
// not a verdict: judged anyway, every row read "insufficient data" and leak-check passed the gate
// (exit 0) having looked at nothing. Real recordings: a psrecord log (RSS only), a trace CSV (no VRAM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { FIXTURES } from '../helpers/paths.js';
import { runBin } from '../helpers/procs.js';

const PSRECORD = path.join(FIXTURES, 'recordings', 'numpy-cache.psrecord.log');
const CSV = path.join(FIXTURES, 'recordings', 'numpy-cache.csv');

test('leak-check --metric uss on a psrecord log (RSS only) is exit 2 naming what it holds, not a PASS', async () => {
  const r = await runBin('leak-check', ['--trace', PSRECORD, '--max-rate', '10', '--metric', 'uss']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `leak-check: --metric uss: trace ${PSRECORD} holds no uss readings; it holds rss: pass --metric rss or leave --metric out\n`);
});

test('leak-report --metric pss on a psrecord log is exit 2; --metric rss still judges it', async () => {
  const r = await runBin('leak-report', ['--trace', PSRECORD, '--metric', 'pss']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /^leak-report: --metric pss: trace .* holds no pss readings; it holds rss: pass --metric rss or leave --metric out\n$/);
  const ok = await runBin('leak-check', ['--trace', PSRECORD, '--max-rate', '10', '--metric', 'rss']);
  assert.equal(ok.code, 1, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^FAIL psrecord/);
});

test('leak-check --metric vram on a trace recorded without nvidia-smi is exit 2 and says so', async () => {
  const r = await runBin('leak-check', ['--trace', CSV, '--max-rate', '10', '--metric', 'vram', '--strict']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /holds no vram readings \(nvidia-smi was not there when it was recorded\?\); it holds uss, pss, rss, swap: pass --metric rss or leave --metric out\n$/);
});
