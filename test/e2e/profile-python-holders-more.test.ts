// More holder shapes (fixtures/programs/py_holders.py): a bound method kept as a callback keeps its
// object, and a module-level defaultdict. Each: the first grower, its bytes within 25 % of what the
// fixture allocates, the path as the code reads it, and the target still correct afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYTHON } from '../helpers/procs.js';
import { startPython } from '../helpers/python.js';
import { keptMbPerMin, mbPerMin, profilePid, relErr, watch } from '../helpers/profile-run.js';

const PER_S = 10, KB = 64;
const TRUTH = (PER_S * KB * 60) / 1024; // 37.5 MB/min at the nominal pace (the check is against what was made)

const cases: { shape: string; path: RegExp }[] = [
  { shape: 'bound', path: /^callbacks\[i\]\.__self__\.seen \(list, \d+ items, [\d.]+ MB\)$/ },
  { shape: 'defaultdict', path: /^stats\['batches'\] \(list, \d+ items, [\d.]+ MB\)$/ },
];

test('each shape: LoggedBatch first, its rate, its holder named as the code reads', { concurrency: true }, async (t) => {
  await Promise.all(cases.map((c) => t.test(`${c.shape}: LoggedBatch first, its rate within 25 % of what it made (${TRUTH} MB/min at its pace), and its holder named as the code reads`, async () => {
    const p = startPython(PYTHON, 'py_holders.py', ['--shape', c.shape, '--per-s', String(PER_S), '--kb', String(KB), '--lifetime', '600']);
    const w = watch(p);
    try {
      await w.ready;
      const { rep } = await profilePid(p.pid!, ['--snapshots', '3', '--interval', '2']);
      const top = rep.growing[0]!;
      const seen = JSON.stringify({ growing: rep.growing.slice(0, 3), warnings: rep.warnings });
      assert.equal(top.type, 'LoggedBatch', seen);
      const got = mbPerMin(top.bytes_per_min);
      const truth = keptMbPerMin(rep, top, KB * 1024); // one object of KB a step, as many as it really made
      assert.ok(relErr(got, truth) < 0.25, `${got.toFixed(1)} MB/min vs ${truth.toFixed(1)} (${TRUTH} at the nominal pace)`);
      assert.match(top.retainer_path ?? '', c.path, seen);
    } finally {
      p.kill('SIGTERM');
    }
    const end = await w.done;
    assert.match(end.stdout, /^ok \d+$/m, `the target checked its own state: ${end.stdout}${end.stderr}`);
  })));
});
