// The CI gate's decision for one analysed series against a bound (MB/min).
import type { RateCheck, SeriesAnalysis } from './types.js';

/**
 * FAIL: growing and the interval's lower bound is above the bound. PASS: not growing, or the upper
 * bound is below it. Otherwise INCONCLUSIVE, with how long to keep recording: the interval's
 * half-width shrinks as T^(-3/2), so it clears the bound at T·(h/|rate − bound|)^(2/3).
 */
export function checkRate(a: SeriesAnalysis, maxRate: number): RateCheck {
  if (a.classification === 'insufficient-data') {
    return { verdict: 'inconclusive', reason: a.explanation, more_s: a.need_more_s };
  }
  const rate = a.rate_mb_per_min ?? 0;
  const [lo, hi] = a.rate_ci95_mb_per_min ?? [rate, rate];
  // Not growing by the floor, but the interval still reaches the bound (a short or wandering run):
  // only the interval can pass it.
  if (a.classification !== 'growing') {
    if (hi < maxRate || a.rate_ci95_mb_per_min === null) return { verdict: 'pass', reason: `${a.classification}, not growing`, more_s: null };
  }
  if (lo > maxRate && a.classification === 'growing') return { verdict: 'fail', reason: `lower bound ${lo.toFixed(1)} > ${maxRate}`, more_s: null };
  if (hi < maxRate) return { verdict: 'pass', reason: `growing, but below the bound`, more_s: null };
  const h = (hi - lo) / 2;
  const gap = Math.abs(rate - maxRate);
  const T = a.duration_s;
  let more = gap > 0 ? T * Math.pow(h / gap, 2 / 3) - T : null;
  // a cycling series changes its answer only with another whole cycle
  if (more !== null && a.period_s) more = Math.max(more, a.period_s);
  return { verdict: 'inconclusive', reason: `the interval ${lo.toFixed(1)}–${hi.toFixed(1)} straddles the bound`, more_s: more !== null ? Math.max(more, 0) : null };
}
