// The CI gate's decision for one analysed series against a bound (MB/min).
import type { RateCheck, SeriesAnalysis } from './types.js';
import { formatBound } from '../units.js';

/**
 * FAIL: growing and the interval's lower bound is above the bound. PASS: cycling; stable or plateau
 * with the upper bound below the bound; growing below it. Otherwise INCONCLUSIVE, with how long to keep recording: the interval's
 * half-width shrinks as T^(-3/2), so it clears the bound at T·(h/|rate − bound|)^(2/3).
 */
export function checkRate(a: SeriesAnalysis, maxRate: number): RateCheck {
  if (a.classification === 'insufficient-data') {
    return { verdict: 'inconclusive', reason: a.explanation, more_s: a.need_more_s };
  }
  const rate = a.rate_mb_per_min ?? 0;
  const [lo, hi] = a.rate_ci95_mb_per_min ?? [rate, rate];
  // The contract (DESIGN.md §1): cycling, plateau and stable pass; their class already says the
  // baseline does not keep rising. Except where the data cannot rule out the bound: "flat within noise"
  // on a short or wandering run whose interval reaches the bound (a 2 MB/min leak under σ 5 MB over
  // 90 s) is INCONCLUSIVE, never a PASS the data does not support. A sawtooth's interval comes from a
  // handful of troughs and is judged by its class alone.
  const unsure = (a.classification === 'stable' || a.classification === 'plateau') && hi >= maxRate;
  if (a.classification !== 'growing' && !unsure) return { verdict: 'pass', reason: `${a.classification}, not growing`, more_s: null };
  if (lo > maxRate && a.classification === 'growing') return { verdict: 'fail', reason: `lower bound ${lo.toFixed(1)} > ${formatBound(maxRate)}`, more_s: null };
  if (hi < maxRate) return { verdict: 'pass', reason: `growing, but below the bound`, more_s: null };
  const h = (hi - lo) / 2;
  const gap = Math.abs(rate - maxRate);
  const T = a.duration_s;
  let more = gap > 0 ? T * Math.pow(h / gap, 2 / 3) - T : null;
  // a cycling series changes its answer only with another whole cycle
  if (more !== null && a.period_s) more = Math.max(more, a.period_s);
  const reason = unsure
    ? `${a.classification} so far, but the interval ${lo.toFixed(1)}–${hi.toFixed(1)} still reaches the bound`
    : `the interval ${lo.toFixed(1)}–${hi.toFixed(1)} straddles the bound`;
  return { verdict: 'inconclusive', reason, more_s: more !== null ? Math.max(more, 0) : null };
}
