// Finding a cycle (a GC sawtooth, an epoch-periodic buffer) in a memory series.
//
//   detrend (Theil–Sen) → autocorrelation → first zero crossing → highest peak after it
//
// A peak above 0.3, with residuals spread well above the sample-to-sample noise, is a cycle.
// Separately we count sharp drops (memory released at once): drops without a measurable period mean
// "it cycles, but fewer than two whole cycles were recorded".
import { autocorrelation, mad, median, theilSen } from './stats.js';
import type { Grid } from './resample.js';

export interface CycleInfo {
  period_s: number | null;
  acfPeak: number;
  /** Sharp drops: falls larger than 4 σ and than a fifth of the detrended range. */
  drops: number;
  /** Spread of the detrended series relative to the noise. */
  spreadToNoise: number;
  /** The noise σ next to the cycle (≤ the first-difference σ: a coarse smooth cycle is not noise). */
  noise: number;
}

/** Look for cycles on an evenly spaced grid; `noise` is the robust σ of the series. */
export function detectCycles(g: Grid, noise: number): CycleInfo {
  const n = g.y.length;
  const { slope, intercept } = theilSen(g.t, g.y);
  const r = new Float64Array(n);
  let lo = Infinity, hi = -Infinity, ss = 0;
  for (let i = 0; i < n; i++) {
    r[i] = g.y[i]! - (intercept + slope * g.t[i]!);
    lo = Math.min(lo, r[i]!);
    hi = Math.max(hi, r[i]!);
    ss += r[i]! * r[i]!;
  }
  const sd = Math.sqrt(ss / n);
  const range = hi - lo;
  let drops = 0;
  for (let i = 1; i < n; i++) {
    const d = g.y[i]! - g.y[i - 1]!;
    if (d < -4 * noise && -d > 0.2 * range) drops++;
  }
  const none = { period_s: null, acfPeak: 0, drops, spreadToNoise: noise > 0 ? sd / noise : sd > 0 ? Infinity : 0, noise };
  const maxLag = Math.floor(n / 2);
  if (n < 8 || maxLag < 3) return none;
  const acf = autocorrelation(r, maxLag);
  let zero = 1;
  while (zero <= maxLag && acf[zero]! > 0) zero++;
  let best = -1, bestLag = -1;
  for (let k = zero; k <= maxLag; k++) {
    // local maximum only: the tail of a decaying ACF is not a period
    if (acf[k]! > best && acf[k]! >= (acf[k - 1] ?? -1) && acf[k]! >= (acf[k + 1] ?? -1)) {
      best = acf[k]!;
      bestLag = k;
    }
  }
  if (bestLag <= 0) return none;
  // A whole multiple of the period can score as high as the period itself: take the first peak
  // that is nearly as high.
  for (let k = zero; k < bestLag; k++) {
    if (acf[k]! >= 0.9 * best && acf[k]! >= acf[k - 1]! && acf[k]! >= acf[k + 1]!) {
      bestLag = k;
      break;
    }
  }
  // The period need not be a whole number of samples (6–15 samples per period, sampled coarsely):
  // the vertex of the parabola through the peak and its neighbours.
  let lag = bestLag;
  let cycleNoise = noise;
  if (bestLag + 1 <= maxLag) {
    const a = acf[bestLag - 1]!, b = acf[bestLag]!, c = acf[bestLag + 1]!;
    const den = a - 2 * b + c;
    if (den < 0) lag = bestLag + Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
  }
  // Noise next to the cycle: the spread of the series around its own mean cycle. The first
  // differences count a smooth cycle sampled coarsely as noise (6 samples per period: ±39 MB "noise"
  // on a 200 MB cycle), so they would hide it.
  if (n / lag >= 3) {
    const f = foldedNoise(r, lag);
    if (f.noise < noise) lag = f.lag;
    cycleNoise = Math.min(noise, f.noise);
  }
  const spreadToNoise = cycleNoise > 0 ? sd / cycleNoise : sd > 0 ? Infinity : 0;
  // A cycle gives memory back: within each period, the level falls by about the cycle's size. A
  // staircase (or a ripple on a steady trend) detrends to a sawtooth too, but never falls.
  const fall = medianFall(g.y, Math.max(2, Math.round(lag)));
  const released = fall > Math.max(3 * cycleNoise, sd, 0.5);
  // Without sharp drops, only a cycle seen 3 times (its fold checked) counts: wandering noise makes
  // ACF peaks of 0.3–0.4 at lags of n/2 that are nothing.
  const strong = best > 0.3 && spreadToNoise > 3 && n / lag >= 3;
  const sawtooth = best > 0.4 && spreadToNoise > 1.5 && drops >= 2; // noisy, but it drops every cycle
  const periodic = (strong || sawtooth) && sd > 0.5 && released;
  return { period_s: periodic ? lag * g.dt : null, acfPeak: Math.max(0, best), drops, spreadToNoise, noise: periodic ? cycleNoise : noise };
}

/**
 * Robust σ next to a cycle of `lag` samples: fold the series at that period, put the samples in
 * order of phase, and take the first differences there (phase neighbours come from different
 * cycles, so the cycle's shape cancels and only the noise is left). The period is refined within
 * ±0.5 sample to the one that folds tightest (phase dispersion minimisation): a period that is not a
 * whole number of samples (6.4 samples per cycle) smears the fold otherwise.
 */
function foldedNoise(r: Float64Array, lag: number): { noise: number; lag: number } {
  let best = { noise: Infinity, lag };
  for (let k = -10; k <= 10; k++) {
    const p = lag * (1 + (k * 0.05) / Math.max(lag, 1));
    const idx = byPhase(r.length, p);
    const d = new Float64Array(r.length - 1);
    for (let i = 1; i < idx.length; i++) d[i - 1] = r[idx[i]!]! - r[idx[i - 1]!]!;
    const s = (1.4826 * mad(d)) / Math.SQRT2;
    if (s < best.noise) best = { noise: s, lag: p };
  }
  return best;
}

/**
 * Sample indices in order of phase ((i / p) mod 1), ties in index order: exactly what a stable sort by
 * phase gives, in O(n) (a bucket per sample, insertion inside the few that share one) where the sort
 * with a comparator was a fifth of a fleet series' analysis (21 candidate periods each).
 */
function byPhase(n: number, p: number): number[] {
  const phase = new Float64Array(n);
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    // x − ⌊x⌋ is (i / p) % 1 to the bit for x ≥ 0 (both exact), without fmod's call (21 folds a series)
    const x = i / p;
    phase[i] = x - Math.floor(x);
    start[Math.min(n - 1, Math.floor(phase[i]! * n)) + 1]!++;
  }
  for (let b = 0; b < n; b++) start[b + 1]! += start[b]!;
  const fill = start.slice(0, n);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const b = Math.min(n - 1, Math.floor(phase[i]! * n));
    // Insert i into its bucket after every index whose phase is ≤ its own (stable: earlier indices first).
    let k = fill[b]!++;
    while (k > start[b]! && phase[out[k - 1]!]! > phase[i]!) {
      out[k] = out[k - 1]!;
      k--;
    }
    out[k] = i;
  }
  return out;
}

/** Median over whole periods (windows of 1.5 periods, one period apart, so each holds a whole release) of the largest fall within each. */
function medianFall(y: ArrayLike<number>, w: number): number {
  const n = y.length;
  const s = new Float64Array(n); // 3-point mean: one noisy sample is not a release
  for (let i = 0; i < n; i++) s[i] = (y[Math.max(i - 1, 0)]! + y[i]! + y[Math.min(i + 1, n - 1)]!) / 3;
  const falls: number[] = [];
  const span = Math.ceil(1.5 * w);
  for (let a = 0; a + span < n; a += w) {
    let top = -Infinity, fall = 0;
    for (let i = a; i <= a + span; i++) (top = Math.max(top, s[i]!)), (fall = Math.max(fall, top - s[i]!));
    falls.push(fall);
  }
  return falls.length ? median(falls) : 0;
}
