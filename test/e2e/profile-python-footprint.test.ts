// What a census leaves behind in the target: its USS (read from /proc by the project's own reader)
// before and after a run of censuses on a steady 200,000-object process, after one warm-up run (the
// first census imports ctypes and json into the target once). The census gives its temporaries back
// (sets of ids emptied, malloc_trim); the budget is 2 MB of USS per census.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSmapsRollup } from '../../src/track/smaps-rollup.js';
import { PYTHON } from '../helpers/procs.js';
import { startPython } from '../helpers/python.js';
import { profilePid, watch } from '../helpers/profile-run.js';

const uss = (pid: number): number => {
  const r = readSmapsRollup(pid);
  if (!r.ok) throw new Error(`smaps_rollup of ${pid}: ${r.reason}`);
  return r.reading.uss;
};

test('censuses of a steady 200,000-object target leave ≤ 2 MB of its USS each, and it keeps working', async (t) => {
  const p = startPython(PYTHON, 'py_many_objects.py', ['--objects', '200000', '--lifetime', '600']);
  const w = watch(p);
  try {
    await w.ready;
    await profilePid(p.pid!, ['--snapshots', '2', '--interval', '0.5', '--mode', 'full']); // warm-up
    const before = uss(p.pid!);
    const { rep } = await profilePid(p.pid!, ['--snapshots', '6', '--interval', '0.5', '--mode', 'full']);
    const after = uss(p.pid!);
    assert.ok(rep.snapshots.every((s) => s.objects > 200_000), `objects: ${rep.snapshots.map((s) => s.objects).join(', ')}`);
    const censuses = rep.snapshots.length + (rep.growing.length > 0 ? 1 : 0);
    const perCensus = (after - before) / censuses / 1048576;
    t.diagnostic(`USS ${(before / 1048576).toFixed(1)} → ${(after / 1048576).toFixed(1)} MB over ${censuses} censuses: ${perCensus.toFixed(2)} MB each`);
    assert.ok(perCensus <= 2, `USS ${(before / 1048576).toFixed(1)} → ${(after / 1048576).toFixed(1)} MB over ${censuses} censuses: ${perCensus.toFixed(2)} MB each`);
    p.kill('SIGTERM');
    const end = await w.done;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /^ok 50000$/m, 'the target checked its own objects afterwards');
  } finally {
    p.kill();
  }
});

