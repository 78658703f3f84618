// leak-profile on real torch tensors, on torch 1.13 (Debian's python3-torch, /usr/bin/python3) and on
// torch 2.x (.cache/torch2-venv): storages counted once however many tensors share them, and
// censuses that leave nothing behind that the next one would count (torch 2.x keeps every Python
// storage object it ever hands out, so the census must never ask for one).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPython, TORCH1_PYTHON, TORCH2_PYTHON } from '../helpers/python.js';
import { keptMbPerMin, mbPerMin, profilePid, relErr, watch } from '../helpers/profile-run.js';

// side by side: each case has its own target, paced by its own clock (a starved moment is caught up),
// and each census is timed inside the target: three at once take about the time of one
describe('tensors on torch 1.13 and 2.x', { concurrency: true }, () => {
  for (const [label, python] of [['torch 1.13', TORCH1_PYTHON], ['torch 2.x', TORCH2_PYTHON]] as const) {
    test(`${label}: a list of tensors, each stored with 2 views of its storage: torch.Tensor first, its data once, held by history`, async () => {
      // 10 tensors of 128 KB a second (75 MB/min of data), 30 tensor objects a second
      const p = startPython(python, 'py_array_list.py', ['--torch', '--views', '2', '--per-s', '10', '--kb', '128', '--lifetime', '600']);
      const w = watch(p);
      try {
        await w.ready;
        const { rep, r } = await profilePid(p.pid!, ['--snapshots', '3', '--interval', '2']);
        const top = rep.growing[0]!;
        assert.equal(top.type, 'torch.Tensor', JSON.stringify(rep.growing.slice(0, 3)));
        // three tensor objects a step (the tensor and its 2 views) share 128 KB: the truth is what the target
        // really made between the censuses (75 MB/min at its nominal pace; a starved target falls behind)
        const truth = keptMbPerMin(rep, top, (128 * 1024) / 3);
        assert.ok(relErr(mbPerMin(top.bytes_per_min), truth) < 0.25, `${mbPerMin(top.bytes_per_min).toFixed(1)} MB/min vs ${truth.toFixed(1)} (views counted again would be 3×)`);
        assert.ok(top.count_delta >= 2.5 * (top.bytes_delta / (128 * 1024)) * 0.9, `views are counted as objects: ${top.count_delta} objects for ${top.bytes_delta} bytes`);
        assert.match(top.retainer_path ?? '', /^history \(list, \d+ items, [\d.]+ MB\)$/);
        assert.ok(!rep.growing.some((g) => /Storage/.test(g.type)), `no storage objects: ${rep.growing.map((g) => g.type).join(', ')}`);
        assert.equal(rep.warnings, undefined, String(rep.warnings));
        assert.match(r.stderr, /census 2\/3 in 2 s/);
        assert.equal(r.stderr.match(/census 2\/3 in/g)?.length, 1, `off a terminal the wait is said once, not counted down: ${r.stderr}`);
      } finally {
        p.kill();
      }
      await w.done;
    });
  }

  test('torch 2.x: repeated censuses of a steady tensor list create nothing (--out relative keeps the census files)', async () => {
    const p = startPython(TORCH2_PYTHON, 'py_array_list.py', ['--torch', '--stable', '--keep', '40', '--per-s', '200', '--kb', '64', '--lifetime', '600']);
    const w = watch(p);
    const cwd = mkdtempSync(path.join(tmpdir(), 'ld-tensors-'));
    try {
      await w.ready;
      const runs = [];
      for (let i = 0; i < 2; i++) runs.push(await profilePid(p.pid!, ['--snapshots', '3', '--interval', '1', '--out', `kept${i}`], { cwd }));
      const files = runs.flatMap(({ rep }) => rep.snapshots.map((s) => s.file!));
      assert.deepEqual(files, [0, 1].flatMap((i) => [1, 2, 3].map((k) => path.join(cwd, `kept${i}`, `census-${p.pid}-${k}.json`))));
      const censuses = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { types: Record<string, [number, number]> });
      const tensors = censuses.map((c) => c.types['torch.Tensor']!);
      // 40 tensors of 64 KB: the same count and bytes in all six censuses, and no storage objects appear
      assert.ok(tensors.every(([n, b]) => n === tensors[0]![0] && b === tensors[0]![1]), JSON.stringify(tensors));
      assert.ok(tensors[0]![1] >= 40 * 64 * 1024 && tensors[0]![1] < 41 * 64 * 1024, `bytes ${tensors[0]![1]}`);
      for (const c of censuses) assert.equal(Object.keys(c.types).filter((t) => /Storage$/.test(t) && !/Meta$/.test(t)).length, 0, Object.keys(c.types).filter((t) => /Storage/.test(t)).join());
      for (const { rep } of runs) assert.ok(!rep.growing.some((g) => g.type.startsWith('torch.')), JSON.stringify(rep.growing));
    } finally {
      p.kill();
      rmSync(cwd, { recursive: true, force: true });
    }
    await w.done;
  });
});
