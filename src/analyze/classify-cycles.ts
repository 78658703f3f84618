// Classification of a cycling series. A leak under a sawtooth shows in the baseline, not in the
// peaks: split the window into whole cycles and fit a line through the per-cycle troughs and the
// per-cycle peaks; it grows when the troughs rise with confidence (the peaks are reported apart).
//
//    /|  /|  /|  /|        troughs ·  ·  ·  ·   flat  → cycling
//   / | / | / | / |
//  /  |/  |/  |/  |        troughs · ·· ·· ·    rising → growing ("not being released")
import { fitLine, median, t975, type LineFit } from './stats.js';
import { releaseCuts } from './drops.js';
import type { SeriesAnalysis } from './types.js';
import { formatDuration } from '../units.js';

type Result = Omit<SeriesAnalysis, 'samples' | 'duration_s' | 'noise_mb'>;

/** Analyse a series with a known period (s); `floor` in MB/min; `limitMb` for the peaks' projection. */
export function classifyCycles(t: ArrayLike<number>, y: ArrayLike<number>, period: number, noise: number, floor: number, limitMb?: number): Result {
  const { tc, troughs: whole, lows: wholeLows, peaks, means, last } = cyclesAtDrops(t, y, period) ?? cyclesByWindow(t, y, period);
  // The troughs' line takes the trough after the last release too (see Cycles.last); peaks and means
  // only whole cycles.
  const tcT = last ? [...tc, last.tc] : tc;
  const troughs = last ? [...whole, last.trough] : whole;
  const lows = last ? [...wholeLows, last.low] : wholeLows;
  const cyc = `every ~${formatDuration(period)}`;
  const baseline = { t_s: tcT, mb: troughs };
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
  const tf = fitLine(tcT, atRelease(t, y, lows, troughs));
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
  // A trough is the lowest *reading* of its cycle: the release happened somewhere in the gap before
  // that reading, and memory was already building up again when it was taken, so each trough reads
  // high by up to (the speed of the build-up) × (that gap). Sampled coarsely (6–15 readings per
  // period) that lateness drifts from cycle to cycle with the beat between period and interval; read
  // unevenly (the governor reads USS every tick, then every 2nd or 3rd under load) it differs from
  // cycle to cycle by whole gaps. A rise of the troughs within the largest such lateness is not
  // resolved unless the whole-cycle means rise too. (A median step over all readings understates it
  // where part of the run was read densely: fixtures/recordings/cycler-busy-7.csv, a flat 4 s cycler
  // whose late-read troughs rise 22.6 MB/min [0.9, 44.4], read "growing" against it.)
  const mf = fitLine(tc, means);
  const late = troughLateness(t, y, lows);
  const spanMin = (tcT[tcT.length - 1]! - tcT[0]!) / 60;
  const resolved = Math.abs(rate) * spanMin > late || ci(mf)[0] > floor;
  if (!resolved) {
    // The interval must carry that lateness too: troughs each read high by anything from 0 to `late`
    // can lean a line through them by up to late/span either way. Fitted as if exact, a flat 8 s,
    // 200 MB cycle read every ~1 s gave troughs "shrinking −23.6 MB/min (−41.6 – −5.6)" — the beat of
    // period and interval, not memory.
    const widen = late / spanMin;
    const honest: [number, number] = [ciT[0] - widen, ciT[1] + widen];
    return { ...common, ...peakFields, classification: 'cycling', rate_mb_per_min: rate, rate_ci95_mb_per_min: honest, model: 'sawtooth', explanation: `memory rises and is released ${cyc}; the troughs move by less than one sampling step and the cycle means stay level${peakWords}`, need_more_s: null };
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
  /** Index of each cycle's lowest reading. */
  lows: number[];
  peaks: number[];
  means: number[];
  /**
   * The trough after the last release, where the recording holds the bottom of that cycle (a third of a
   * period after it) but not the whole cycle: a trough needs its release and what follows, not the next
   * one. Its time is placed where the whole cycles' times sit after their releases. Without it, 7
   * troughs of a 5 MB/min leak under a 300 MB, 20 s cycle read 4.05 MB/min (shape-slow-cycles.csv).
   */
  last?: { tc: number; trough: number; low: number };
}

/**
 * Whole cycles cut at the sharp drops (a GC, a cache flush): each cycle runs from one release to the
 * next, so its mean does not depend on where a fixed window happened to start. Null when the drops
 * are not clear enough (a smooth cycle): then fixed windows of one period are used.
 */
function cyclesAtDrops(t: ArrayLike<number>, y: ArrayLike<number>, period: number): Cycles | null {
  const { cuts } = releaseCuts(t, y);
  if (cuts.length < 4) return null;
  const out: Cycles = { tc: [], troughs: [], lows: [], peaks: [], means: [] };
  for (let c = 0; c + 1 < cuts.length; c++) {
    const a = cuts[c]!, b = cuts[c + 1]!;
    const len = t[b]! - t[a]!;
    if (len < 0.5 * period || len > 1.5 * period) return null; // irregular: not a clean sawtooth
    pushCycle(out, t, y, a, b, (t[a]! + t[b - 1]!) / 2);
  }
  const a = cuts[cuts.length - 1]!, n = t.length;
  if (t[n - 1]! - t[a]! >= period / 3) {
    let lo = a;
    for (let i = a; i < n && t[i]! - t[a]! <= period / 3; i++) if (y[i]! < y[lo]!) lo = i;
    const offset = median(out.tc.map((x, k) => x - t[cuts[k]!]!));
    out.last = { tc: t[a]! + offset, trough: y[lo]!, low: lo };
  }
  return out;
}

function cyclesByWindow(t: ArrayLike<number>, y: ArrayLike<number>, period: number): Cycles {
  const n = t.length;
  const t0 = t[0]!;
  const k = Math.floor((t[n - 1]! - t0) / period);
  const out: Cycles = { tc: [], troughs: [], lows: [], peaks: [], means: [] };
  let i = 0;
  for (let w = 0; w < k; w++) {
    const end = t0 + (w + 1) * period;
    const a = i;
    while (i < n && t[i]! < end) i++;
    if (i > a) pushCycle(out, t, y, a, i, t0 + (w + 0.5) * period);
  }
  return out;
}

/**
 * One cycle of readings [a, b): its lowest reading (and where), its highest, and its mean over time
 * (trapezoids between the readings): where readings are uneven (every tick, then every 3rd), a plain
 * mean of the readings weighs the densely read part of the cycle more, and that part moves from
 * cycle to cycle.
 */
function pushCycle(out: Cycles, t: ArrayLike<number>, y: ArrayLike<number>, a: number, b: number, tc: number): void {
  let lo = a, hi = -Infinity, area = 0;
  for (let i = a; i < b; i++) {
    if (y[i]! < y[lo]!) lo = i;
    hi = Math.max(hi, y[i]!);
    if (i + 1 < b) area += ((y[i]! + y[i + 1]!) / 2) * (t[i + 1]! - t[i]!);
  }
  const span = t[b - 1]! - t[a]!;
  out.tc.push(tc);
  out.troughs.push(y[lo]!);
  out.lows.push(lo);
  out.peaks.push(hi);
  out.means.push(span > 0 ? area / span : y[a]!);
}

/**
 * The most any trough may read high because it was read late: for each trough reading, the speed of
 * the build-up right after it times the gap before it (when the release happened at the earliest).
 */
function troughLateness(t: ArrayLike<number>, y: ArrayLike<number>, lows: number[]): number {
  let worst = 0;
  for (const i of lows) {
    if (i < 1 || i + 1 >= t.length || t[i + 1]! <= t[i]!) continue;
    const speed = Math.max(0, (y[i + 1]! - y[i]!) / (t[i + 1]! - t[i]!));
    worst = Math.max(worst, speed * (t[i]! - t[i - 1]!));
  }
  return worst;
}

/**
 * The troughs as they were at the release, where the reading cadence changes: each trough reading
 * comes a part of the gap before it after its release, while memory already built up again. Read
 * every tick for a while and every 2nd or 3rd later (the governor under load), the troughs of the
 * sparse part read high by a whole short gap more than the dense part's: a step in the troughs that
 * the line through them takes for growth (a 30 MB/min leak under a 4 s sawtooth: +7 MB where the
 * cadence halved). Taking off half the gap's build-up (the release is equally likely anywhere in
 * it) removes that step on average. Evenly read troughs are left as read: the same amount off every
 * trough changes no slope, and the build-up speed read off two noisy readings adds noise.
 */
function atRelease(t: ArrayLike<number>, y: ArrayLike<number>, lows: number[], troughs: number[]): number[] {
  const gaps = lows.map((i) => (i >= 1 ? t[i]! - t[i - 1]! : NaN)).filter((g) => g > 0);
  if (gaps.length < 2 || Math.max(...gaps) <= 1.2 * Math.min(...gaps)) return troughs;
  return troughs.map((v, k) => {
    const i = lows[k]!;
    if (i < 1 || i + 1 >= t.length || t[i + 1]! <= t[i]!) return v;
    const speed = Math.max(0, (y[i + 1]! - y[i]!) / (t[i + 1]! - t[i]!));
    return v - (speed * (t[i]! - t[i - 1]!)) / 2;
  });
}
