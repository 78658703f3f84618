// Classification of a cycling series. A leak under a sawtooth shows in the baseline, not in the
// peaks: split the window into whole cycles and fit a line through the per-cycle troughs and the
// per-cycle means; it grows only if both rise with confidence.
//
//    /|  /|  /|  /|        troughs ·  ·  ·  ·   flat  → cycling
//   / | / | / | / |
//  /  |/  |/  |/  |        troughs · ·· ·· ·    rising → growing ("not being released")
import { fitLine, t975, type LineFit } from './stats.js';
import type { SeriesAnalysis } from './types.js';
import { formatDuration } from '../units.js';

type Result = Omit<SeriesAnalysis, 'samples' | 'duration_s' | 'noise_mb'>;

/** Analyse a series with a known period (s); `floor` in MB/min. */
export function classifyCycles(t: ArrayLike<number>, y: ArrayLike<number>, period: number, noise: number, floor: number): Result {
  const n = t.length;
  const t0 = t[0]!;
  const k = Math.floor((t[n - 1]! - t0) / period);
  const tc: number[] = [], troughs: number[] = [], means: number[] = [];
  let i = 0;
  for (let w = 0; w < k; w++) {
    const end = t0 + (w + 1) * period;
    let lo = Infinity, sum = 0, cnt = 0;
    while (i < n && t[i]! < end) (lo = Math.min(lo, y[i]!)), (sum += y[i]!), cnt++, i++;
    if (cnt === 0) continue;
    tc.push(t0 + (w + 0.5) * period);
    troughs.push(lo);
    means.push(sum / cnt);
  }
  const cyc = `every ~${formatDuration(period)}`;
  const baseline = { t_s: tc, mb: troughs };
  if (tc.length < 3) {
    const drift = tc.length === 2 ? Math.abs(troughs[1]! - troughs[0]!) : Infinity;
    if (drift < 3 * Math.max(noise, 0.5)) {
      const rate = tc.length === 2 ? ((means[1]! - means[0]!) / period) * 60 : 0;
      return { classification: 'cycling', rate_mb_per_min: rate, rate_ci95_mb_per_min: null, baseline, model: 'sawtooth', period_s: period, explanation: `memory rises and is released ${cyc}; only ${tc.length} whole cycles, troughs level`, need_more_s: null };
    }
    return { classification: 'insufficient-data', rate_mb_per_min: null, rate_ci95_mb_per_min: null, baseline, model: 'sawtooth', period_s: period, explanation: `memory cycles ${cyc}, but ${tc.length} whole cycles cannot tell whether the troughs rise`, need_more_s: (3 - tc.length) * period };
  }
  const mf = fitLine(tc, means);
  const tf = fitLine(tc, troughs);
  const ci = (f: LineFit): [number, number] => {
    const h = t975(f.n - 2) * f.se * 60;
    return [f.slope * 60 - h, f.slope * 60 + h];
  };
  const ciM = ci(mf), ciT = ci(tf);
  const rate = mf.slope * 60;
  if (ciM[0] > floor && ciT[0] > floor) {
    return { classification: 'growing', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciM, baseline, model: 'sawtooth-troughs', period_s: period, explanation: `the troughs rise (${(tf.slope * 60).toFixed(1)} MB/min) under a cycle ${cyc}, so memory is not being released`, need_more_s: null };
  }
  const h = (ciM[1] - ciM[0]) / 2;
  if (rate >= floor && tf.slope * 60 >= floor && rate >= h / 2) {
    const span = tc[tc.length - 1]! - tc[0]! + period;
    return { classification: 'insufficient-data', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciM, baseline, model: 'sawtooth', period_s: period, explanation: `memory cycles ${cyc} and the troughs may be rising; ${tc.length} cycles cannot tell yet`, need_more_s: Math.max(span * Math.pow(h / (rate - floor), 2 / 3) - span, period) };
  }
  return { classification: 'cycling', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciM, baseline, model: 'sawtooth', period_s: period, explanation: `memory rises and is released ${cyc}, with no net growth`, need_more_s: null };
}
