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
  const { tc, troughs, means } = cyclesAtDrops(t, y, period) ?? cyclesByWindow(t, y, period);
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
  if (rate >= floor && tf.slope * 60 >= floor && ciM[0] > 0) {
    const span = tc[tc.length - 1]! - tc[0]! + period;
    return { classification: 'insufficient-data', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciM, baseline, model: 'sawtooth', period_s: period, explanation: `memory cycles ${cyc} and the troughs may be rising; ${tc.length} cycles cannot tell yet`, need_more_s: Math.max(span * Math.pow(h / (rate - floor), 2 / 3) - span, period) };
  }
  return { classification: 'cycling', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciM, baseline, model: 'sawtooth', period_s: period, explanation: `memory rises and is released ${cyc}, with no net growth`, need_more_s: null };
}

interface Cycles {
  tc: number[];
  troughs: number[];
  means: number[];
}

/**
 * Whole cycles cut at the sharp drops (a GC, a cache flush): each cycle runs from one release to the
 * next, so its mean does not depend on where a fixed window happened to start. Null when the drops
 * are not clear enough (a smooth cycle): then fixed windows of one period are used.
 */
function cyclesAtDrops(t: ArrayLike<number>, y: ArrayLike<number>, period: number): Cycles | null {
  const n = t.length;
  const sorted = Float64Array.from(y as ArrayLike<number>).sort();
  const amp = sorted[Math.floor(n * 0.95)]! - sorted[Math.floor(n * 0.05)]!;
  const cuts: number[] = [];
  for (let i = 1; i < n; i++) if (y[i]! - y[i - 1]! < -0.5 * amp) cuts.push(i);
  if (cuts.length < 4) return null;
  const out: Cycles = { tc: [], troughs: [], means: [] };
  for (let c = 0; c + 1 < cuts.length; c++) {
    const a = cuts[c]!, b = cuts[c + 1]!;
    const len = t[b]! - t[a]!;
    if (len < 0.5 * period || len > 1.5 * period) return null; // irregular: not a clean sawtooth
    let lo = Infinity, area = 0;
    // Time-weighted (trapezoid) mean: a tracker that missed ticks under load must not bias it.
    for (let i = a; i < b; i++) {
      lo = Math.min(lo, y[i]!);
      if (i + 1 < b) area += ((y[i]! + y[i + 1]!) / 2) * (t[i + 1]! - t[i]!);
    }
    out.tc.push((t[a]! + t[b - 1]!) / 2);
    out.troughs.push(lo);
    out.means.push(b - 1 > a ? area / (t[b - 1]! - t[a]!) : y[a]!);
  }
  return out;
}

function cyclesByWindow(t: ArrayLike<number>, y: ArrayLike<number>, period: number): Cycles {
  const n = t.length;
  const t0 = t[0]!;
  const k = Math.floor((t[n - 1]! - t0) / period);
  const out: Cycles = { tc: [], troughs: [], means: [] };
  let i = 0;
  for (let w = 0; w < k; w++) {
    const end = t0 + (w + 1) * period;
    let lo = Infinity, sum = 0, cnt = 0;
    while (i < n && t[i]! < end) (lo = Math.min(lo, y[i]!)), (sum += y[i]!), cnt++, i++;
    if (cnt === 0) continue;
    out.tc.push(t0 + (w + 0.5) * period);
    out.troughs.push(lo);
    out.means.push(sum / cnt);
  }
  return out;
}
