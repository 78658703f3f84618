// Small literal-data checks of the analysis building blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { despike, fitLine, robustNoise, t975, theilSen } from '../../src/analyze/stats.js';
import { toGrid } from '../../src/analyze/resample.js';
import { detectCycles } from '../../src/analyze/cycles.js';
import { chooseModel, fitModels } from '../../src/analyze/models.js';
import { analyzeSeries, checkRate } from '../../src/analyze/index.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('robust noise ignores a trend and rare drops', () => {
  const wobble = (i: number) => Math.sin(i * 12.9898) * 2; // deterministic jitter
  const plain = robustNoise(range(200).map((i) => 50 + wobble(i)));
  const trended = robustNoise(range(200).map((i) => 50 + i * 3 + wobble(i) - (i >= 100 && i < 103 ? 500 : 0)));
  assert.ok(plain > 0.5 && Math.abs(trended - plain) / plain < 0.1, `${plain} vs ${trended}`);
});

test('Theil–Sen shrugs off outliers that drag least squares', () => {
  const t = range(50);
  const y = t.map((x) => 2 * x + (x > 45 ? 1000 : 0));
  assert.ok(Math.abs(theilSen(t, y).slope - 2) < 1e-9);
  assert.ok(fitLine(t, y).slope > 5);
});

test('fitLine: exact line has zero residual; t975 matches the table', () => {
  const t = range(10);
  const f = fitLine(t, t.map((x) => 5 + 0.5 * x));
  assert.ok(Math.abs(f.slope - 0.5) < 1e-12 && Math.abs(f.intercept - 5) < 1e-12 && f.se < 1e-9);
  assert.equal(t975(1), 12.706);
  assert.ok(Math.abs(t975(100) - 1.984) < 0.01);
});

test('despike removes a one-sample spike but keeps a step', () => {
  const y = range(20).map((i) => (i >= 10 ? 100 : 0) + (i === 5 ? 80 : 0));
  const d = despike(y, 1);
  assert.equal(d[5], 0);
  assert.equal(d[12], 100);
  assert.equal(d[9], 0);
});

test('toGrid bins dense data and interpolates across gaps', () => {
  const t = [0, 1, 2, 10, 11, 12];
  const g = toGrid(t, t.map((x) => x * 2), 100);
  assert.equal(g.dt, 1);
  assert.ok(Math.abs(g.y[6]! - 12) < 1e-9, 'interpolated across the gap');
});

test('detectCycles finds a 30-sample sawtooth period and counts its drops', () => {
  const t = range(300);
  const c = detectCycles(toGrid(t, t.map((x) => (x % 30) * 10), 1000), 0.5);
  assert.ok(Math.abs(c.period_s! - 30) < 0.5, `period ${c.period_s}`);
  assert.ok(c.drops >= 9);
});

test('BIC picks the shape that generated the data', () => {
  const t = range(200);
  assert.equal(chooseModel(fitModels(t, t.map(() => 7))).name, 'constant');
  assert.equal(chooseModel(fitModels(t, t.map((x) => x + Math.sin(x) * 0.1))).name, 'linear');
  assert.equal(chooseModel(fitModels(t, t.map((x) => (x > 100 ? 50 : 0) + Math.sin(x) * 0.1))).name, 'step');
  assert.equal(chooseModel(fitModels(t, t.map((x) => Math.min(x, 120) + Math.sin(x) * 0.1))).name, 'hinge');
});

test('checkRate: fail above, pass below, inconclusive across, with how much longer', () => {
  const t = range(100).map((x) => x * 6);
  const a = analyzeSeries({ t_s: t, mb: t.map((x) => 1000 + x + Math.sin(x * 12.9898) * 3) }); // 60 MB/min, jitter ±3
  assert.equal(a.classification, 'growing');
  assert.equal(checkRate(a, 50).verdict, 'fail');
  assert.equal(checkRate(a, 70).verdict, 'pass');
  const c = checkRate(a, a.rate_mb_per_min!);
  assert.equal(c.verdict, 'inconclusive');
  const noisy = analyzeSeries({ t_s: t, mb: t.map((x, i) => 1000 + x / 6 + (i % 2 ? 40 : -40)) }); // 10 MB/min ± 40
  const nc = checkRate(noisy, noisy.rate_mb_per_min! * 1.2);
  // Not conditional: a 10 MB/min rate under ±40 MB of alternation, judged at 1.2× its own rate, straddles.
  assert.equal(nc.verdict, 'inconclusive', nc.reason);
  assert.ok(nc.more_s! > 0, `how much longer: ${nc.more_s}`);
  assert.equal(checkRate(analyzeSeries({ t_s: [0, 1], mb: [1, 2] }), 50).verdict, 'inconclusive');
});

test('ar1SlopeError: white residuals keep ρ near 0; a slow wander gets a high ρ and a wider error', async () => {
  const { ar1SlopeError } = await import('../../src/analyze/ar1.js');
  const { rng } = await import('../../src/analyze/stats.js');
  const r = rng(3);
  const t = range(400);
  const white = t.map(() => r() - 0.5);
  let e = 0;
  const wander = t.map(() => (e = 0.98 * e + (r() - 0.5)));
  const w = ar1SlopeError(t, white, 0, t.length);
  const a = ar1SlopeError(t, wander, 0, t.length);
  assert.ok(w.rho < 0.15, `white ρ ${w.rho}`);
  assert.ok(a.rho > 0.9, `wander ρ ${a.rho}`);
  // white noise keeps most of its 398 degrees of freedom (ρ̂'s own uncertainty, ±1/√n, costs some:
  // Satterthwaite); a wander of a few correlation lengths has only a handful
  assert.ok(a.df < 20 && w.df > 100, `df ${a.df} / ${w.df}`);
});

test('removeExcursions takes out a plateau spike and keeps a sawtooth; aroundLoneRelease reads around one drop', async () => {
  const { removeExcursions, findReleases, aroundLoneRelease } = await import('../../src/analyze/releases.js');
  const t = range(300);
  const spiky = t.map((x) => 1000 + x + (x >= 100 && x < 105 ? 2000 : 0) + Math.sin(x * 12.9898));
  const ex = removeExcursions(t, spiky, 1);
  assert.equal(ex.count, 1);
  assert.ok(Math.abs(ex.y[102]! - 1102) < 3, `filled ${ex.y[102]}`);
  const saw = t.map((x) => 1000 + (x % 30) * 10);
  assert.equal(removeExcursions(t, saw, 0.5).count, 0);
  // built up, released once at the end: read before it
  const end = t.map((x) => 1000 + x * 2 - (x >= 298 ? 500 : 0));
  const rel = findReleases(t, end, 0.5);
  assert.deepEqual(rel, [298]);
  assert.deepEqual(aroundLoneRelease(t, end, rel, 10)?.to, 298);
  // one drop in the middle of a run: cannot tell
  const mid = t.map((x) => 1000 + (x % 200) * 2);
  assert.equal(aroundLoneRelease(t, mid, findReleases(t, mid, 0.5), 10), null);
});
