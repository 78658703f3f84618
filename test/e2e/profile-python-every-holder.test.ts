// Every holder of a growing Python type (#21.4), on live targets (fixtures/programs/py_two_holders.py):
// objects kept both in a module-level list and in a long-running function's local dict (both named),
// a container reached through a local alias and an attribute path (the attribute path named), objects
// split between two containers (both, with their shares), and str dict keys (the dict, not one of the
// interpreter's own string containers). Each target checks its own data afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYTHON } from '../helpers/procs.js';
import { startPython } from '../helpers/python.js';
import { profilePid, watch } from '../helpers/profile-run.js';
import type { GrowingType } from '../../src/types.js';

const cases: { shape: string; type: string; args: string[]; check: (g: GrowingType) => void }[] = [
  {
    shape: 'list-and-local', type: 'Record', args: ['--per-s', '50', '--kb', '4'],
    check: (g) => {
      assert.match(g.retainer_path ?? '', /^(history \(list|py_two_holders\.py:train\(\) local seen \(dict)/);
      const paths = (g.clusters ?? []).map((c) => c.path).sort();
      assert.equal(paths.length, 2, JSON.stringify(g.clusters));
      assert.match(paths[0]!, /^history \(list, \d+ items, [\d.]+ MB\)$/);
      assert.match(paths[1]!, /^py_two_holders\.py:train\(\) local seen \(dict, \d+ items, [\d.]+ MB\)$/);
      for (const c of g.clusters!) assert.ok(c.share >= 0.9, `each holder keeps every instance: ${JSON.stringify(c)}`);
    },
  },
  {
    shape: 'alias', type: 'Record', args: ['--per-s', '50', '--kb', '4'],
    check: (g) => {
      assert.match(g.retainer_path ?? '', /^processor\.image_processor\._cache \(dict, \d+ items, [\d.]+ MB\)$/);
      assert.ok(!(g.clusters ?? []).some((c) => / local c\b/.test(c.path)), JSON.stringify(g.clusters));
    },
  },
  {
    shape: 'split', type: 'Record', args: ['--per-s', '50', '--kb', '4'],
    check: (g) => {
      const byPath = new Map((g.clusters ?? []).map((c) => [c.path.replace(/ \(.*$/, ''), c]));
      assert.deepEqual([...byPath.keys()].sort(), ['history', 'registry.by_id'], JSON.stringify(g.clusters));
      for (const c of byPath.values()) {
        assert.ok(c.share > 0.2 && c.share < 0.8, `about half each: ${JSON.stringify(c)}`);
        assert.ok(c.count > 0 && c.count < g.count_delta && c.retained_bytes > 0 && c.retained_bytes < g.bytes_delta);
      }
    },
  },
  {
    shape: 'keys', type: 'str', args: ['--per-s', '200', '--kb', '1'],
    check: (g) => {
      // the dict of new keys is the one holder: no old table of literals beside it (encodings._aliases,
      // 326 str from start-up, was named second when the growth was small: scripts/census/grown.py)
      assert.match(g.retainer_path ?? '', /^index \(dict, \d+ items, [\d.]+ MB\)$/);
      assert.equal(g.clusters, undefined, JSON.stringify(g.clusters));
    },
  },
];

test('every holder, named as the code reads, with its share', { concurrency: true }, async (t) => {
  await Promise.all(cases.map((c) => t.test(`${c.shape}: ${c.type}`, async () => {
    const p = startPython(PYTHON, 'py_two_holders.py', ['--shape', c.shape, ...c.args]);
    const w = watch(p);
    try {
      await w.ready;
      const { rep } = await profilePid(p.pid!, ['--snapshots', '3', '--interval', '1', '--top', '6']);
      const g = rep.growing.find((x) => x.type === c.type);
      assert.ok(g, `${c.type} grows: ${JSON.stringify(rep.growing.map((x) => x.type))}`);
      try {
        c.check(g);
      } catch (e) {
        if (rep.warnings?.length) (e as Error).message += ` (warnings: ${JSON.stringify(rep.warnings)})`;
        throw e;
      }
    } finally {
      p.kill('SIGTERM');
    }
    const end = await w.done;
    assert.match(end.stdout, /^ok \d+$/m, `the target checked its own state: ${end.stdout}${end.stderr}`);
  })));
});
