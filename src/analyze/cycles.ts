// Finding a cycle (a GC sawtooth, an epoch-periodic buffer) in a memory series.
//
//   detrend (Theil–Sen) → autocorrelation → first zero crossing → highest peak after it
//
// A peak above 0.3, with residuals spread well above the sample-to-sample noise, is a cycle.
// Separately we count sharp drops (memory released at once): drops without a measurable period mean
// "it cycles, but fewer than two whole cycles were recorded".
import { autocorrelation, theilSen } from './stats.js';
import type { Grid } from './resample.js';

export interface CycleInfo {
  period_s: number | null;
  acfPeak: number;
  /** Sharp drops: falls larger than 4 σ and than a fifth of the detrended range. */
  drops: number;
  /** Spread of the detrended series relative to the noise. */
  spreadToNoise: number;
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
  const spreadToNoise = noise > 0 ? sd / noise : sd > 0 ? Infinity : 0;
  const maxLag = Math.floor(n / 2);
  if (n < 8 || maxLag < 3) return { period_s: null, acfPeak: 0, drops, spreadToNoise };
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
  // A ripple on a steady trend (allocation granularity, timer beat) is not a cycle that matters:
  // the detrended spread must be well above noise, above 0.5 MB, and not tiny next to the trend.
  const rise = Math.abs(slope * (g.t[n - 1]! - g.t[0]!));
  const strong = best > 0.3 && spreadToNoise > 3;
  const sawtooth = best > 0.4 && spreadToNoise > 1.5 && drops >= 2; // noisy, but it drops every cycle
  const periodic = bestLag > 0 && (strong || sawtooth) && sd > 0.5 && sd > 0.1 * rise;
  return { period_s: periodic ? bestLag * g.dt : null, acfPeak: Math.max(0, best), drops, spreadToNoise };
}

