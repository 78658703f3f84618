// The growth budget on real Python targets: each grows by a burst the test measures itself from
// /proc, between leak-profile's two censuses; the part the budget names must be within 15 % of it.
// The ctypes malloc case with --native-sites is in test/serial/native-sites.test.ts (bpftrace 0.17's
// uprobes slow every process using this libc while attached: no neighbouring test may run then).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, PYTHON, startBin, waitFor } from '../helpers/procs.js';
import { startPython, TORCH1_PYTHON } from '../helpers/python.js';
import { watch } from '../helpers/profile-run.js';
import { partBytes, uss, runPythonBudget, showBudget, within15 } from '../helpers/budget-run.js';

const MB = 1048576;
const within = within15, show = showBudget, run = runPythonBudget;

test('2 KiB objects, 19 of 20 freed: the budget says free in the allocator; --trim gives most of it back', async (t) => {
  const { p, rep, grown } = await run(PYTHON, 'frag', ['--trim']);
  try {
    t.diagnostic(`${show(rep)} (test read USS +${(grown / MB).toFixed(1)} MB); ${rep.trim?.verdict}`);
    assert.equal(rep.budget?.dominant, 'allocator_free', show(rep));
    assert.ok(within(partBytes(rep, 'allocator_free') + partBytes(rep, 'python_objects'), grown), `${show(rep)}; USS grew ${(grown / MB).toFixed(1)} MB`);
    assert.ok(rep.trim?.fragmentation, JSON.stringify(rep.trim));
    assert.ok(rep.trim!.given_back >= 0.7 * grown, `trim gave back ${(rep.trim!.given_back / MB).toFixed(1)} of ${(grown / MB).toFixed(1)} MB`);
    assert.match(rep.trim!.verdict, /^fragmentation: malloc_trim gave back \d+ MB .*MALLOC_ARENA_MAX/);
    assert.ok(uss(p.pid!) < rep.trim!.uss_before - 0.7 * grown, 'the target is smaller afterwards');
  } finally {
    p.kill();
  }
});

test('numpy arrays and torch CPU tensors kept in a list: the budget says Python objects', async (t) => {
  const { p, rep, grown } = await run(TORCH1_PYTHON, 'arrays');
  try {
    t.diagnostic(`${show(rep)} (test read USS +${(grown / MB).toFixed(1)} MB)`);
    assert.equal(rep.budget?.dominant, 'python_objects', show(rep));
    assert.ok(within(partBytes(rep, 'python_objects'), grown), `${show(rep)}; USS grew ${(grown / MB).toFixed(1)} MB`);
  } finally {
    p.kill();
  }
});

test('a native burst freed again before the last census: the net is split (no growth), and the rise between is said', async (t) => {
  const p = startPython(PYTHON, 'py_budget_target.py', ['--kind', 'native', '--mb', '48']);
  try {
    const w = watch(p);
    await w.ready;
    let out = '', err = '';
    p.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const cli = startBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '3', '--interval', '4', '--json']);
    cli.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const result = collect(cli, 120_000);
    await waitFor(() => /census 1\/3: [\d,]+ objects/.test(err) || cli.exitCode !== null, 60_000, 'the first census');
    const before = uss(p.pid!);
    p.kill('SIGUSR1');
    await waitFor(() => /^grew/m.test(out), 30_000, 'the fixture to grow');
    const peak = uss(p.pid!);
    await waitFor(() => /census 2\/3: [\d,]+ objects/.test(err) || cli.exitCode !== null, 60_000, 'the second census');
    p.kill('SIGUSR2');
    await waitFor(() => /^released/m.test(out), 30_000, 'the fixture to let go');
    const early = /census 3\/3: injecting/.test(err);
    const r = await result;
    assert.equal(r.code, 0, r.stderr);
    if (early) throw new Error(`the last census began before the fixture let go (a box too slow for a 4 s interval): ${err}`);
    const rep = JSON.parse(r.stdout) as import('../../src/types.js').ProfileReport;
    t.diagnostic(`${show(rep)} (test read USS +${((peak - before) / MB).toFixed(1)} MB at the peak)`);
    assert.equal(rep.budget?.dominant, null, show(rep));
    assert.ok(rep.budget!.uss_peak! - rep.budget!.uss_first >= 0.85 * (peak - before), show(rep));
    assert.match(rep.budget!.verdict, /no growth worth splitting .*; meanwhile USS rose \d+ MB above both ends \(\d+ s into the window\) and fell back/);
  } finally {
    p.kill();
  }
});
