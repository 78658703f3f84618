// Classification of a cycling series. A leak under a sawtooth shows in the baseline, not in the
// peaks: split the window into whole cycles and fit a line through the per-cycle troughs and the
// per-cycle peaks; it grows when the troughs rise with confidence (the peaks are reported apart).
//
//    /|  /|  /|  /|        troughs ·  ·  ·  ·   flat  → cycling
//   / | / | / | / |
//  /  |/  |/  |/  |        troughs · ·· ·· ·    rising → growing ("not being released")
import { fitLine, halfSpanSlope, median, t975, type LineFit } from './stats.js';
import type { SeriesAnalysis } from './types.js';
import { formatDuration } from '../units.js';

type Result = Omit<SeriesAnalysis, 'samples' | 'duration_s' | 'noise_mb'>;

/** Analyse a series with a known period (s); `floor` in MB/min; `limitMb` for the peaks' projection. */
export function classifyCycles(t: ArrayLike<number>, y: ArrayLike<number>, period: number, noise: number, floor: number, limitMb?: number): Result {
  const { tc, troughs, peaks, means } = cyclesAtDrops(t, y, period) ?? cyclesByWindow(t, y, period);
  const cyc = `every ~${formatDuration(period)}`;
  const baseline = { t_s: tc, mb: troughs };
  const common = { baseline, period_s: period };
  if (tc.length < 3) {
    const drift = tc.length === 2 ? Math.abs(troughs[1]! - troughs[0]!) : Infinity;
    if (drift < 3 * Math.max(noise, 0.5)) {
      const rate = tc.length === 2 ? ((troughs[1]! - troughs[0]!) / (tc[1]! - tc[0]!)) * 60 : 0;
      return { ...common, classification: 'cycling', rate_mb_per_min: rate, rate_ci95_mb_per_min: null, model: 'sawtooth', explanation: `memory rises and is released ${cyc}; only ${tc.length} whole cycles, troughs level`, need_more_s: null };
    }
    return { ...common, classification: 'insufficient-data', rate_mb_per_min: null, rate_ci95_mb_per_min: null, model: 'sawtooth', explanation: `memory cycles ${cyc}, but ${tc.length} whole cycles cannot tell whether the troughs rise`, need_more_s: (3 - tc.length) * period };
  }
  // The steady-state baseline of a sawtooth is its troughs (what is left after each release): their
  // slope is the rate. The cycle means also move with the peaks, which are reported apart.
  const tf = fitLine(tc, troughs);
  const pf = fitLine(tc, peaks);
  const ci = (f: LineFit): [number, number] => {
    const h = t975(f.df) * f.se * 60;
    return [f.slope * 60 - h, f.slope * 60 + h];
  };
  const ciT = ci(tf), ciP = ci(pf);
  const rate = tf.slope * 60;
  const peakRate = pf.slope * 60;
  // The peaks grow apart from the troughs when they rise significantly, and faster than them.
  const peaksGrow = ciP[0] > floor && ciP[0] > rate;
  const tEnd = t[t.length - 1]!;
  const lastPeak = pf.intercept + pf.slope * tEnd;
  const reach = peaksGrow && limitMb !== undefined ? Math.max(0, ((limitMb - lastPeak) / peakRate) * 60) : null;
  const peakWords = peaksGrow
    ? `; the peaks rise ${peakRate.toFixed(1)} MB/min, so the process will still need more memory over time${reach !== null ? ` (the ${limitMb!.toFixed(0)} MB limit in ~${formatDuration(reach)} at this rate)` : ''}`
    : '';
  const peakFields = { peaks_rate_mb_per_min: peakRate, ...(limitMb !== undefined ? { peaks_reach_limit_s: reach } : {}) };
  // A trough is the lowest *sample* of its cycle: sampled coarsely (6–15 samples per period), which
  // sample lands nearest the true trough drifts from cycle to cycle (a beat between the period and
  // the interval) by up to one sample-to-sample step. A rise of the troughs smaller than that step
  // is not resolved unless the whole-cycle means rise too.
  const mf = fitLine(tc, means);
  const steps = new Float64Array(t.length - 1);
  for (let i = 1; i < t.length; i++) steps[i - 1] = Math.abs(y[i]! - y[i - 1]!);
  const resolved = Math.abs(rate) * ((tc[tc.length - 1]! - tc[0]!) / 60) > median(steps) || ci(mf)[0] > floor;
  if (!resolved) {
    return { ...common, ...peakFields, classification: 'cycling', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciT, model: 'sawtooth', explanation: `memory rises and is released ${cyc}; the troughs move by less than one sampling step and the cycle means stay level${peakWords}`, need_more_s: null };
  }
  if (ciT[0] > floor) {
    return { ...common, ...peakFields, classification: 'growing', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciT, model: 'sawtooth-troughs', explanation: `the troughs rise (${rate.toFixed(1)} MB/min) under a cycle ${cyc}, so memory is not being released${peakWords}`, need_more_s: null };
  }
  const h = (ciT[1] - ciT[0]) / 2;
  if (rate >= floor && ciT[0] > 0) {
    const span = tc[tc.length - 1]! - tc[0]! + period;
    return { ...common, ...peakFields, classification: 'insufficient-data', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciT, model: 'sawtooth', explanation: `memory cycles ${cyc} and the troughs may be rising; ${tc.length} cycles cannot tell yet${peakWords}`, need_more_s: Math.max(span * Math.pow(h / (rate - floor), 2 / 3) - span, period) };
  }
  const level = peaksGrow ? `the troughs stay level (${rate.toFixed(1)} MB/min)` : 'with no net growth';
  return { ...common, ...peakFields, classification: 'cycling', rate_mb_per_min: rate, rate_ci95_mb_per_min: ciT, model: 'sawtooth', explanation: `memory rises and is released ${cyc}, ${level}${peakWords}`, need_more_s: null };
}

interface Cycles {
  tc: number[];
  troughs: number[];
  peaks: number[];
  means: number[];
}

/**
 * Whole cycles cut at the sharp drops (a GC, a cache flush): each cycle runs from one release to the
 * next, so its mean does not depend on where a fixed window happened to start. Null when the drops
 * are not clear enough (a smooth cycle): then fixed windows of one period are used.
 */
function cyclesAtDrops(t: ArrayLike<number>, y: ArrayLike<number>, period: number): Cycles | null {
  const n = t.length;
  // The cycle's size on the detrended series: a leak's rise over hours must not make the drops
  // look small (1 GB drops under 5 GB of growth are still every cycle's release).
  const slope = halfSpanSlope(t, y);
  const d = Float64Array.from({ length: n }, (_, i) => y[i]! - slope * t[i]!).sort();
  const amp = d[Math.floor(n * 0.95)]! - d[Math.floor(n * 0.05)]!;
  const cuts: number[] = [];
  for (let i = 1; i < n; i++) if (y[i]! - y[i - 1]! < -0.5 * amp) cuts.push(i);
  if (cuts.length < 4) return null;
  const out: Cycles = { tc: [], troughs: [], peaks: [], means: [] };
  for (let c = 0; c + 1 < cuts.length; c++) {
    const a = cuts[c]!, b = cuts[c + 1]!;
    const len = t[b]! - t[a]!;
    if (len < 0.5 * period || len > 1.5 * period) return null; // irregular: not a clean sawtooth
    let lo = Infinity, hi = -Infinity, sum = 0;
    for (let i = a; i < b; i++) (lo = Math.min(lo, y[i]!)), (hi = Math.max(hi, y[i]!)), (sum += y[i]!);
    out.tc.push((t[a]! + t[b - 1]!) / 2);
    out.troughs.push(lo);
    out.peaks.push(hi);
    out.means.push(sum / (b - a));
  }
  return out;
}

function cyclesByWindow(t: ArrayLike<number>, y: ArrayLike<number>, period: number): Cycles {
  const n = t.length;
  const t0 = t[0]!;
  const k = Math.floor((t[n - 1]! - t0) / period);
  const out: Cycles = { tc: [], troughs: [], peaks: [], means: [] };
  let i = 0;
  for (let w = 0; w < k; w++) {
    const end = t0 + (w + 1) * period;
    let lo = Infinity, hi = -Infinity, cnt = 0, sum = 0;
    while (i < n && t[i]! < end) (lo = Math.min(lo, y[i]!)), (hi = Math.max(hi, y[i]!)), (sum += y[i]!), cnt++, i++;
    if (cnt === 0) continue;
    out.tc.push(t0 + (w + 0.5) * period);
    out.troughs.push(lo);
    out.peaks.push(hi);
    out.means.push(sum / cnt);
  }
  return out;
}
