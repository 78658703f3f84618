// Holders named the way a user reads the code, on live CPython processes (fixtures/programs/py_holders.py):
// a main() local, a closure, an lru_cache, a class attribute and a numpy image cached on each camera
// of a scene. Each: the first grower, its bytes within 25 % of what the fixture allocates, the path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYTHON } from '../helpers/procs.js';
import { startPython } from '../helpers/python.js';
import { keptMbPerMin, mbPerMin, profilePid, relErr, watch } from '../helpers/profile-run.js';

const PER_S = 10, KB = 64;
const TRUTH = (PER_S * KB * 60) / 1024; // 37.5 MB/min at the nominal pace (the check is against what was made)

const cases: { shape: string; type: string; path: RegExp; extra?: string[] }[] = [
  { shape: 'main-local', type: 'ProcessedImage', path: /^py_holders\.py:main\(\) local processor → \.image_processor\._cache \(dict, \d+ items, [\d.]+ MB\)$/ },
  { shape: 'closure', type: 'CapturedBatch', path: /^listeners\[i\] → make_listener\.<locals>\.on_batch\(\) captures seen \(list, \d+ items, [\d.]+ MB\)$/ },
  { shape: 'lru', type: 'DecodedImage', path: /^decode \(lru_cache, \d+ entries, [\d.]+ MB\)$/ },
  { shape: 'class-attr', type: 'Sample', path: /^Registry\.samples \(list, \d+ items, [\d.]+ MB\)$/ },
  // 6,000 cameras: one image each, 10 a second, so it still grows 10 minutes on (400 stopped growing after
  // 40 s, before a loaded box's three censuses were done: no grower at all)
  { shape: 'camera', type: 'numpy.ndarray', path: /^scene\.cameras\[i\]\._cached_image \(list, 6000 items, [\d.]+ MB\)$/, extra: ['--cameras', '6000'] },
];

// side by side: five targets profiled at once take the time of one (under load too: each census's holder
// search is bounded by its own CPU time, not the wall clock, scripts/census/base.py)
test('each shape: its grower first, its rate, its holder named as the code reads', { concurrency: true }, async (t) => {
  await Promise.all(cases.map((c) => t.test(`${c.shape}: ${c.type} first, its rate within 25 % of what it made (${TRUTH} MB/min at its pace), and its holder named as the code reads`, async () => {
    const p = startPython(PYTHON, 'py_holders.py', ['--shape', c.shape, '--per-s', String(PER_S), '--kb', String(KB), '--lifetime', '600', ...(c.extra ?? [])]);
    const w = watch(p);
    try {
      await w.ready;
      const { rep } = await profilePid(p.pid!, ['--snapshots', '3', '--interval', '2']);
      const top = rep.growing[0]!;
      const seen = JSON.stringify({ growing: rep.growing.slice(0, 3), warnings: rep.warnings });
      assert.equal(top.type, c.type, seen);
      const got = mbPerMin(top.bytes_per_min);
      const truth = keptMbPerMin(rep, top, KB * 1024); // one object of KB a step, as many as it really made
      assert.ok(relErr(got, truth) < 0.25, `${got.toFixed(1)} MB/min vs ${truth.toFixed(1)} (${TRUTH} at the nominal pace)`);
      assert.match(top.retainer_path ?? '', c.path, seen);
      // the holder's size includes the data it keeps: at least what was allocated before the holder census
      const mb = Number(/([\d.]+) MB\)$/.exec(top.retainer_path ?? '')?.[1]);
      const made = (top.counts[top.counts.length - 1]! * KB) / 1024;
      assert.ok(mb >= made * 0.9, `holder ${mb} MB for ${made.toFixed(1)} MB allocated`);
    } finally {
      p.kill('SIGTERM');
    }
    const end = await w.done;
    assert.match(end.stdout, /^ok \d+$/m, `the target checked its own state: ${end.stdout}${end.stderr}`);
  })));
});
