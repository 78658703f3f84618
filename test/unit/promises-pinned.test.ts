// Documented behaviour that one-line mutations broke without a test failing (#24.4; bench/mutations.md
// lists each mutation and the test that now catches it).
import test from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSeries, checkRate } from '../../src/index.js';
import { diffCensuses, NOISE_FLOOR, rankNamedTypesFirst } from '../../src/profile/diff.js';
import type { Census } from '../../src/types.js';

test('the gate fails on the interval\'s lower bound, never on the point rate (docs/report-and-check.md)', () => {
  const t_s = Array.from({ length: 120 }, (_, i) => i * 5);
  const a = analyzeSeries({ t_s, mb: t_s.map((t) => 100 + t) }); // growing 60 MB/min
  assert.equal(a.classification, 'growing');
  // Point above the bound, interval reaching below it: INCONCLUSIVE, not FAIL.
  const straddle = checkRate({ ...a, rate_mb_per_min: 60, rate_ci95_mb_per_min: [45, 75] }, 50);
  assert.equal(straddle.verdict, 'inconclusive', straddle.reason);
  // Lower bound above the bound: FAIL, whatever the point says.
  assert.equal(checkRate({ ...a, rate_mb_per_min: 60, rate_ci95_mb_per_min: [50.5, 70] }, 50).verdict, 'fail');
  // Point below the bound, upper bound above it: INCONCLUSIVE, not PASS.
  assert.equal(checkRate({ ...a, rate_mb_per_min: 45, rate_ci95_mb_per_min: [30, 55] }, 50).verdict, 'inconclusive');
  assert.equal(checkRate({ ...a, rate_mb_per_min: 45, rate_ci95_mb_per_min: [40, 49.5] }, 50).verdict, 'pass');
});

test('downward excursions are removed: a flat series with six −300 MB dips is stable, not cycling (docs/verdicts.md)', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const t_s: number[] = [], mb: number[] = [];
  for (let i = 0; i < 600; i++) {
    t_s.push(i);
    const dip = [50, 150, 250, 350, 450, 550].some((d) => i >= d && i < d + 6);
    mb.push(1000 + rnd() * 2 - (dip ? 300 : 0));
  }
  const a = analyzeSeries({ t_s, mb });
  assert.equal(a.classification, 'stable', a.explanation);
  assert.match(a.explanation, /6 short excursions \(−300 MB for ~6s\) left out/);
});

test('several growers are ranked by bytes grown, largest first, named classes before builtins (Python censuses)', () => {
  const census = (t_s: number, sizes: Record<string, number>): Census => ({
    t_s, file: null, objects: 0, bytes: 0,
    types: new Map(Object.entries(sizes).map(([k, b]) => [k, { count: Math.round(b / 1000), bytes: b }])),
  });
  const MB = 1048576;
  const cs = [0, 30, 60].map((t, i) => census(t, {
    'model.Small': 1 * MB + i * 0.2 * MB, 'model.Big': 5 * MB + i * 3 * MB, 'model.Middle': 2 * MB + i * 1 * MB, bytes: 10 * MB + i * 8 * MB, steady: 4 * MB,
  }));
  const ranked = rankNamedTypesFirst(diffCensuses(cs, NOISE_FLOOR));
  assert.deepEqual(ranked.map((g) => g.type), ['model.Big', 'model.Middle', 'model.Small', 'bytes']);
});
