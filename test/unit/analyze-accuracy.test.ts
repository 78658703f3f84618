// The analysis against the labelled sweeps (ours, and the shapes of issue 10 built from its
// descriptions): per-class F1, rates, interval coverage under wandering noise, and the CI gate's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSeries, checkRate } from '../../src/analyze/index.js';
import { issueSweep, labelledSweep, rand, sample, type Trace } from '../helpers/series-generator.js';
import type { Classification } from '../../src/types.js';

const CLASSES: Classification[] = ['growing', 'cycling', 'plateau', 'stable', 'insufficient-data'];
const traces: Trace[] = [...labelledSweep(7, 14), ...issueSweep(7, 6)];
const analyses = traces.map((tr) => analyzeSeries(tr, { endsAtExit: tr.endsAtExit }));
const show = (tr: Trace, i: number) => {
  const a = analyses[i]!;
  return `${tr.kind} (dt ${tr.dt.toFixed(1)}, σ ${tr.noise}, n ${tr.t_s.length}): ${tr.label} ${tr.rate?.toFixed(1)} → ${a.classification} ${a.rate_mb_per_min?.toFixed(2)}`;
};

test('per-class F1 ≥ 0.98 on the labelled sweep and the issue-10 shapes', () => {
  const confusion = new Map<string, number>();
  const misses: string[] = [];
  traces.forEach((tr, i) => {
    const got = analyses[i]!.classification;
    confusion.set(`${tr.label}→${got}`, (confusion.get(`${tr.label}→${got}`) ?? 0) + 1);
    if (got !== tr.label) misses.push(show(tr, i));
  });
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
  for (const c of CLASSES) assert.ok(f1[c]! >= 0.98, `F1(${c}) = ${f1[c]!.toFixed(3)}; all F1 ${JSON.stringify(f1)}; misses:\n${misses.join('\n')}`);
});

test('issue-10 leaks: the rate within 15 % of the truth and the interval covering it', () => {
  let n = 0, covered = 0;
  const off: string[] = [];
  traces.forEach((tr, i) => {
    if (tr.label !== 'growing' || !issueKinds.has(tr.kind)) return;
    const a = analyses[i]!;
    n++;
    if (a.rate_mb_per_min === null || Math.abs(a.rate_mb_per_min - tr.rate!) > 0.15 * tr.rate!) off.push(show(tr, i));
    const ci = a.rate_ci95_mb_per_min;
    if (ci && ci[0] <= tr.rate! && tr.rate! <= ci[1]) covered++;
  });
  assert.ok(n >= 50, `only ${n} leaks`);
  assert.deepEqual(off, [], 'rates more than 15 % off');
  assert.ok(covered / n >= 0.9, `interval covers the truth in ${covered}/${n}`);
});
const issueKinds = new Set(issueSweep(1, 1).map((t) => t.kind));

/**
 * Linear leaks (2–200 MB/min, σ 1 or 5 MB, Δt 1, 2 or 5 s, `lengths` samples) under AR(1) noise φ:
 * how many analyses give an interval, and how many of those cover the true rate.
 */
function coverage(phi: number, runs: number, lengths: number[], seed: number): { covered: number; given: number; share: number } {
  const r = rand(seed);
  let covered = 0, given = 0;
  for (let i = 0; i < runs; i++) {
    const rate = [2, 10, 50, 200][i % 4]!;
    const sigma = [1, 5][(i >> 2) % 2]!;
    const n = lengths[Math.floor(r() * lengths.length)]!;
    const dt = [1, 2, 5][Math.floor(r() * 3)]!;
    const tr = sample({ kind: 'linear', label: 'growing', rate, f: (t) => 1000 + (rate * t) / 60 }, n, dt, { sigma, ar: phi }, seed * 10_000 + i);
    const ci = analyzeSeries(tr).rate_ci95_mb_per_min;
    if (!ci) continue;
    given++;
    if (ci[0] <= rate && rate <= ci[1]) covered++;
  }
  return { covered, given, share: covered / Math.max(given, 1) };
}
const PHIS = [0, 0.5, 0.9, 0.98];
// 600 runs per φ: a correct 95 % interval lands in 93–97 % with probability ≈ 0.98 (2.25 standard
// errors of 0.89 %), where 120 runs per φ (the test before) could not tell 95 % from 91 or 99 %.
test('the 95 % interval covers the true rate in 93–97 % of leaks for each φ = 0, 0.5, 0.9, 0.98 (120–1000 samples)', () => {
  const got = PHIS.map((phi, k) => ({ phi, ...coverage(phi, 600, [120, 300, 1000], 11 + k) }));
  const say = got.map((g) => `φ ${g.phi}: ${g.covered}/${g.given} = ${(100 * g.share).toFixed(1)} %`).join(', ');
  for (const g of got) {
    assert.ok(g.given >= 590, `φ ${g.phi}: only ${g.given} intervals (${say})`);
    assert.ok(g.share >= 0.93 && g.share <= 0.97, `φ ${g.phi} (${say})`);
  }
});

// Short runs (1.5–15 minutes at Δt 1–5 s; at φ = 0.98 that is 2–4 correlation lengths): a third of
// the φ = 0.98 ones are INCONCLUSIVE, which is their honest answer, and every interval given must
// still cover. Over seeds 1–3 of this sweep they cover 93.4–97.4 % at φ = 0.98 (wide ones included),
// hence 0.98 as the upper bound here.
test('short runs (90–180 samples): the intervals given cover the true rate in 93–98 % for each φ', () => {
  const got = PHIS.map((phi, k) => ({ phi, ...coverage(phi, 500, [90, 120, 180], 21 + k) }));
  const say = got.map((g) => `φ ${g.phi}: ${g.covered}/${g.given} = ${(100 * g.share).toFixed(1)} %`).join(', ');
  for (const g of got) {
    assert.ok(g.given >= 400, `φ ${g.phi}: only ${g.given} intervals (${say})`);
    assert.ok(g.share >= 0.93 && g.share <= 0.98, `φ ${g.phi} (${say})`);
  }
});

test('the gate: no FAIL below 0.8× the bound, no PASS above 1.2×, INCONCLUSIVE says how long', () => {
  const bad: string[] = [];
  let decided = 0, above = 0;
  for (const bound of [10, 50, 200]) {
    traces.forEach((tr, i) => {
      if (tr.rate === null || tr.label === 'insufficient-data') return;
      const a = analyses[i]!;
      const c = checkRate(a, bound);
      const rate = tr.label === 'growing' ? tr.rate : 0;
      if (rate < 0.8 * bound && c.verdict === 'fail') bad.push(`false FAIL @${bound}: ${show(tr, i)}`);
      if (rate > 1.2 * bound) {
        above++;
        if (c.verdict === 'pass') bad.push(`missed FAIL @${bound}: ${show(tr, i)}`);
        if (c.verdict === 'fail') decided++;
      }
      if (c.verdict === 'inconclusive' && !(c.more_s! > 0)) bad.push(`INCONCLUSIVE without how long @${bound}: ${show(tr, i)}`);
    });
  }
  assert.deepEqual(bad, []);
  assert.ok(above > 100 && decided / above >= 0.9, `FAIL decided on ${decided}/${above} leaks above 1.2× the bound`);
});

test('the gate on short and wandering runs: a leak 1.25× the bound is not PASSed as "stable"; unsure answers say how long', () => {
  // Small leaks on 90–600 samples under white and wandering noise: "flat within noise" is not proof
  // that the rate stays under the bound, so those are INCONCLUSIVE (before: 22–81 of 200 per cell PASSed).
  const passed: string[] = [];
  let runs = 0, silent = 0;
  for (const phi of [0, 0.9, 0.98]) {
    for (const n of [90, 180, 600]) {
      for (let i = 0; i < 100; i++) {
        const rate = [2, 10, 50][i % 3]!, sigma = [1, 5][i % 2]!;
        const tr = sample({ kind: 'linear', label: 'growing', rate, f: (t) => 1000 + (rate * t) / 60 }, n, 1, { sigma, ar: phi }, 9000 + i);
        const a = analyzeSeries(tr);
        const c = checkRate(a, rate / 1.25);
        runs++;
        if (c.verdict === 'pass') passed.push(`φ ${phi} n ${n} rate ${rate} σ ${sigma}: ${a.classification} ${a.rate_mb_per_min?.toFixed(2)} ${JSON.stringify(a.rate_ci95_mb_per_min)}`);
        if (c.verdict === 'inconclusive' && !(c.more_s! > 0)) silent++;
      }
    }
  }
  assert.ok(passed.length <= runs / 100, `${passed.length}/${runs} PASSed:\n${passed.join('\n')}`);
  assert.equal(silent, 0, 'every INCONCLUSIVE says how much longer to record');
});

test('the gate on wandering noise (φ = 0.98): 3-minute runs do not FAIL a leak at 0.8× the bound', () => {
  let fails = 0;
  for (let i = 0; i < 120; i++) {
    const bound = 50, rate = 0.8 * bound;
    const tr = sample({ kind: 'linear', label: 'growing', rate, f: (t) => 2000 + (rate * t) / 60 }, 180, 1, { sigma: [2, 5, 10][i % 3]!, ar: 0.98 }, 7000 + i);
    if (checkRate(analyzeSeries(tr), bound).verdict === 'fail') fails++;
  }
  assert.ok(fails <= 3, `${fails}/120 false FAILs`);
});

test('the gate: ≤ 5 % PASS at twice the bound on white noise', () => {
  const bound = 50;
  let passHigh = 0;
  for (let i = 0; i < 200; i++) {
    const rate = 2 * bound;
    const tr = sample({ kind: 'linear', label: 'growing', rate, f: (t) => 1000 + (rate * t) / 60 }, 300, 2, { sigma: [1, 10, 40][i % 3]! }, 5000 + i);
    if (checkRate(analyzeSeries(tr), bound).verdict === 'pass') passHigh++;
  }
  assert.ok(passHigh / 200 <= 0.05, `PASS on ${passHigh}/200 processes at twice the bound`);
});
