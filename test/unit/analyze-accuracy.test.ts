// The analysis against the labelled sweep: per-class F1, interval coverage, and the CI gate's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSeries, checkRate } from '../../src/analyze/index.js';
import { labelledSweep, rand, sample } from '../helpers/series-generator.js';
import type { Classification } from '../../src/types.js';

const CLASSES: Classification[] = ['growing', 'cycling', 'plateau', 'stable', 'insufficient-data'];

test('per-class F1 ≥ 0.95 on the labelled sweep', () => {
  const traces = labelledSweep(7, 14);
  const confusion = new Map<string, number>();
  const misses: string[] = [];
  for (const tr of traces) {
    const a = analyzeSeries(tr);
    confusion.set(`${tr.label}→${a.classification}`, (confusion.get(`${tr.label}→${a.classification}`) ?? 0) + 1);
    if (a.classification !== tr.label) misses.push(`${tr.kind} (dt ${tr.dt}, σ ${tr.noise}, n ${tr.t_s.length}): ${tr.label} → ${a.classification} ${a.rate_mb_per_min?.toFixed(2)}`);
  }
  const f1: Record<string, number> = {};
  for (const c of CLASSES) {
    let tp = 0, fp = 0, fn = 0;
    for (const [k, v] of confusion) {
      const [truth, got] = k.split('→');
      if (truth === c && got === c) tp += v;
      else if (got === c) fp += v;
      else if (truth === c) fn += v;
    }
    f1[c] = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  for (const c of CLASSES) assert.ok(f1[c]! >= 0.95, `F1(${c}) = ${f1[c]!.toFixed(3)}; all F1 ${JSON.stringify(f1)}; misses:\n${misses.join('\n')}`);
});

test('the 95 % interval covers the true rate in 93–97 % of linear leaks', () => {
  const r = rand(99);
  let covered = 0;
  const runs = 400;
  for (let i = 0; i < runs; i++) {
    const rate = [2, 10, 50, 200][i % 4]!;
    const sigma = [1, 5][i % 2]!;
    const tr = sample({ kind: 'linear', label: 'growing', rate, f: (t) => 1000 + (rate * t) / 60 }, 300, 2, { sigma, ar: r() < 0.5 ? 0.3 : 0 }, 1000 + i);
    const a = analyzeSeries(tr);
    const ci = a.rate_ci95_mb_per_min!;
    if (ci[0] <= rate && rate <= ci[1]) covered++;
  }
  const share = covered / runs;
  assert.ok(share >= 0.93 && share <= 0.97, `coverage ${share}`);
});

test('the gate: ≤ 1 % FAIL at ≤ half the bound, ≤ 5 % PASS at twice the bound', () => {
  const bound = 50;
  let failLow = 0, nLow = 0, passHigh = 0, nHigh = 0;
  const bad: string[] = [];
  for (const tr of labelledSweep(11, 14)) {
    if (tr.rate === null || tr.label === 'insufficient-data') continue;
    const a = analyzeSeries(tr);
    const v = checkRate(a, bound).verdict;
    if (tr.rate <= bound / 2) (nLow++, v === 'fail' && (failLow++, bad.push(`${tr.kind} ${tr.rate} → ${a.classification} ${a.rate_mb_per_min}`)));
  }
  for (let i = 0; i < 200; i++) {
    const rate = 2 * bound;
    const tr = sample({ kind: 'linear', label: 'growing', rate, f: (t) => 1000 + (rate * t) / 60 }, 300, 2, { sigma: [1, 10, 40][i % 3]! }, 5000 + i);
    nHigh++;
    if (checkRate(analyzeSeries(tr), bound).verdict === 'pass') passHigh++;
  }
  assert.ok(nLow > 100, `only ${nLow} low-rate processes`);
  assert.ok(failLow / nLow <= 0.01, `FAIL on ${failLow}/${nLow} processes at ≤ half the bound: ${bad.join('; ')}`);
  assert.ok(passHigh / nHigh <= 0.05, `PASS on ${passHigh}/${nHigh} processes at twice the bound`);
});
