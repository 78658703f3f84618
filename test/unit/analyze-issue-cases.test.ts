// Issue 10's "Misses and false alarms", one by one, with the numbers the issue gives: label, rate
// within 15 %, the 95 % interval covering the truth, the gate, and the words of the explanation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSeries, checkRate } from '../../src/analyze/index.js';
import { irregularTimes, sample, sampleAt } from '../helpers/series-generator.js';
import type { SeriesAnalysis } from '../../src/analyze/index.js';

const frac = (x: number) => x - Math.floor(x);

function assertLeak(a: SeriesAnalysis, rate: number, what: string): void {
  const at = `${what}: ${a.classification} ${a.rate_mb_per_min} ${JSON.stringify(a.rate_ci95_mb_per_min)} — ${a.explanation}`;
  assert.equal(a.classification, 'growing', at);
  assert.ok(Math.abs(a.rate_mb_per_min! - rate) <= 0.15 * rate, at);
  const [lo, hi] = a.rate_ci95_mb_per_min!;
  assert.ok(lo <= rate && rate <= hi, `interval misses ${rate}: ${at}`);
}

test('5 MB/min under a 1 GB sawtooth of period 20 min: growing at 2 h, 9 h, 10 h and 12 h', () => {
  for (const hours of [2, 9, 10, 12]) {
    const tr = sample({ kind: 's', label: 'growing', rate: 5, f: (t) => 2000 + 1024 * frac(t / 1200) + (5 * t) / 60 }, (hours * 3600) / 10, 10, { sigma: 5 }, 100 + hours);
    const a = analyzeSeries(tr);
    assertLeak(a, 5, `${hours} h`);
    assert.match(a.explanation, /troughs rise/);
    const c = checkRate(a, 2);
    // 6 cycles may not decide yet; then it says to record at least one more cycle
    if (hours >= 9) assert.equal(c.verdict, 'fail', `${hours} h: ${JSON.stringify(c)}`);
    else assert.ok(c.verdict === 'fail' || (c.verdict === 'inconclusive' && c.more_s! >= 1200), `${hours} h: ${JSON.stringify(c)}`);
  }
});

test('troughs rising 60–80 MB/min under a 1 GB sawtooth of period 4 min: FAIL at 50', () => {
  for (const rate of [60, 70, 80]) {
    const tr = sample({ kind: 's', label: 'growing', rate, f: (t) => 3000 + 1024 * frac(t / 240) + (rate * t) / 60 }, 720, 5, { sigma: 5 }, rate);
    const a = analyzeSeries(tr);
    assertLeak(a, rate, `${rate} MB/min`);
    assert.equal(checkRate(a, 50).verdict, 'fail');
  }
});

test('80 MB/min with checkpoint spikes (+2 GB for 20 s every 10 min), sampled every 1–7 s', () => {
  for (const seed of [1, 2, 3]) {
    const times = irregularTimes(3600, 1, 7, seed);
    const tr = sampleAt({ kind: 'c', label: 'growing', rate: 80, f: (t) => 4000 + (80 * t) / 60 + (t % 600 >= 300 && t % 600 < 320 ? 2048 : 0) }, times, { sigma: 5 }, seed);
    const a = analyzeSeries(tr);
    assertLeak(a, 80, `seed ${seed}`);
    assert.match(a.explanation, /excursions? \(\+20\d\d MB/);
    assert.equal(checkRate(a, 50).verdict, 'fail');
  }
});

test('100 MB/min released in the last 1–3 samples of a run whose process exited there: growing, the release left out', () => {
  const released = (tail: number, seed: number) => {
    const n = 300, dt = 2, tRel = (n - tail) * dt - 1;
    return sample({ kind: 'r', label: 'growing', rate: 100, f: (t) => 1000 + (100 * Math.min(t, tRel)) / 60 - (t > tRel ? 800 : 0) }, n, dt, { sigma: 3 }, seed);
  };
  // Its 95 % interval holds 100 on ~95 % of seeds (one seed alone is a 1-in-20 draw: seed 1 reads
  // 99.88 (99.76–99.998) once the release is seen rather than smoothed away): 20 seeds a tail.
  let misses = 0;
  for (const tail of [1, 2, 3]) {
    for (let seed = 1; seed <= 20; seed++) {
      const [lo, hi] = analyzeSeries(released(tail, seed * 7 + tail), { endsAtExit: true }).rate_ci95_mb_per_min!;
      if (!(lo <= 100 && 100 <= hi)) misses++;
    }
  }
  assert.ok(misses <= 6, `the interval missed 100 on ${misses} of 60 seeds`);
  for (const tail of [1, 2, 3]) {
    const tr = released(tail, tail);
    const a = analyzeSeries(tr, { endsAtExit: true });
    assert.equal(a.classification, 'growing', `${tail} released: ${a.explanation}`);
    assert.ok(Math.abs(a.rate_mb_per_min! - 100) <= 15, `${tail} released: ${a.rate_mb_per_min}`);
    assert.match(a.explanation, /released in the last \d samples? \(the end of the run/);
    assert.equal(checkRate(a, 50).verdict, 'fail');
    // the exit not known (a trace, a psrecord log, the live line): one fall at the end, none before, and
    // readings after it too few to show memory held flat — a cycle's first release reads the same
    const u = analyzeSeries(tr);
    assert.equal(u.classification, 'insufficient-data', `${tail}: ${u.explanation}`);
    assert.match(u.explanation, /dropped sharply .* in the last (reading|\d readings).* or the end of the run/);
    assert.equal(checkRate(u, 50).verdict, 'inconclusive');
  }
});

test('troughs rising 35 MB/min under a sawtooth whose peaks grow too: rate 35, no FAIL at 50, peaks apart', () => {
  const tr = sample({ kind: 'p', label: 'growing', rate: 35, f: (t) => 1500 + (35 * t) / 60 + (300 + (40 * t) / 60) * frac(t / 120) }, 1800, 2, { sigma: 3 }, 35);
  const a = analyzeSeries(tr);
  assertLeak(a, 35, 'growing peaks');
  assert.notEqual(checkRate(a, 50).verdict, 'fail');
  assert.ok(a.peaks_rate_mb_per_min! > 60, `peaks ${a.peaks_rate_mb_per_min}`);
  assert.match(a.explanation, /peaks rise/);
});

test('flat troughs, growing peaks: cycling at the troughs’ rate, the peaks said apart, and when they reach a limit', () => {
  const tr = sample({ kind: 'p', label: 'cycling', rate: 0, f: (t) => 1500 + (200 + (40 * t) / 60) * frac(t / 120) }, 1800, 2, { sigma: 3 }, 41);
  const a = analyzeSeries(tr, { limitMb: 8192 });
  assert.equal(a.classification, 'cycling', a.explanation);
  assert.ok(Math.abs(a.rate_mb_per_min!) < 1, `troughs' rate ${a.rate_mb_per_min}`);
  assert.doesNotMatch(a.explanation, /no net growth/);
  assert.match(a.explanation, /troughs stay level.*peaks rise (39|4\d)\.\d MB\/min.*8192 MB limit in ~/);
  // peaks at ~1500 + 200 + 40·60 = 4100 MB at the end, rising 40 MB/min: 8192 is ~100 min away
  assert.ok(a.peaks_reach_limit_s! > 80 * 60 && a.peaks_reach_limit_s! < 125 * 60, `${a.peaks_reach_limit_s}`);
  assert.equal(checkRate(a, 10).verdict, 'pass');
});

test('smooth cycles sampled coarsely (6.0 → 6.2 → 6.0 GB every 2 min, every 10 s) are cycling, not stable', () => {
  for (const shape of ['triangle', 'sine']) {
    const wave = (t: number) => (shape === 'triangle' ? 200 * (1 - Math.abs(2 * frac(t / 120) - 1)) : 100 * (1 - Math.cos((2 * Math.PI * t) / 120)));
    const tr = sample({ kind: 'c', label: 'cycling', rate: 0, f: (t) => 6144 + wave(t) }, 180, 10, { sigma: 2 }, 7);
    const a = analyzeSeries(tr);
    assert.equal(a.classification, 'cycling', `${shape}: ${a.explanation}`);
    assert.ok(Math.abs(a.period_s! - 120) < 5, `${shape}: period ${a.period_s}`);
    assert.ok(a.noise_mb < 10, `${shape}: noise ${a.noise_mb} (the cycle is not noise)`);
  }
});

test('"started growing at" only where growth started', () => {
  // 30 nearly noiseless samples of a steady 300 MB/min leak
  const steady = analyzeSeries(sample({ kind: 'l', label: 'growing', rate: 300, f: (t) => 100 + 5 * t }, 30, 1, { sigma: 0.2 }, 3));
  assertLeak(steady, 300, 'psrecord-like');
  assert.doesNotMatch(steady.explanation, /started growing/);
  // a trainer rising linearly from t = 0 with correlated noise
  const trainer = analyzeSeries(sample({ kind: 'l', label: 'growing', rate: 3.6, f: (t) => 2000 + (3.6 * t) / 60 }, 600, 1, { sigma: 1, ar: 0.8 }, 4));
  assertLeak(trainer, 3.6, 'trainer');
  assert.doesNotMatch(trainer.explanation, /started growing/);
  // a warm-up (fast), then a slower leak: the rate is the leak's, and it is not "started growing"
  const warm = analyzeSeries(sample({ kind: 'w', label: 'growing', rate: 10, f: (t) => 500 + 400 * Math.min(1, t / 120) + (10 * t) / 60 }, 600, 2, { sigma: 2 }, 5));
  assertLeak(warm, 10, 'warm-up');
  assert.doesNotMatch(warm.explanation, /started growing/);
  assert.match(warm.explanation, /slowed/);
  // flat, then a leak from halfway: that one did start
  const starts = analyzeSeries(sample({ kind: 's', label: 'growing', rate: 30, f: (t) => 800 + (30 * Math.max(0, t - 600)) / 60 }, 600, 2, { sigma: 2 }, 6));
  assertLeak(starts, 30, 'starts');
  assert.match(starts.explanation, /started growing at ~(9m|10m)/);
});

test('an LRU that fills then stays flat, after one start-up drop, is a plateau', () => {
  const f = (t: number) => (t < 20 ? 300 + 15 * t : 300 + 400 * Math.min(1, (t - 20) / 150));
  const a = analyzeSeries(sample({ kind: 'lru', label: 'plateau', rate: 0, f }, 300, 2, { sigma: 1 }, 8));
  assert.equal(a.classification, 'plateau', a.explanation);
  assert.match(a.explanation, /start-up/);
  assert.equal(checkRate(a, 10).verdict, 'pass');
});
