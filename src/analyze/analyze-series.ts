// The verdict on one memory series: growing, cycling, plateau, stable or insufficient-data, with the
// steady-state rate and its 95 % interval. Pure: arrays in, a plain object out.
import { despike, mad, robustNoise, theilSen } from './stats.js';
import { toGrid } from './resample.js';
import { detectCycles } from './cycles.js';
import { classifyCycles } from './classify-cycles.js';
import { classifyTrend } from './classify-trend.js';
import type { AnalyzeOptions, SeriesAnalysis, SeriesInput } from './types.js';

const MIN_SAMPLES = 10;
/** Growth slower than this (MB/min, 30 MB/h) is not called a leak: a day of it is 720 MB. */
export const DEFAULT_FLOOR = 0.5;
const MAX_FIT_POINTS = 4000;

/** Analyse one series (seconds, MiB). */
export function analyzeSeries(input: SeriesInput, opts: AnalyzeOptions = {}): SeriesAnalysis {
  const floor = opts.floorMbPerMin ?? DEFAULT_FLOOR;
  const n = input.t_s.length;
  const duration = n > 1 ? input.t_s[n - 1]! - input.t_s[0]! : 0;
  const base = { samples: n, duration_s: duration };
  if (n < MIN_SAMPLES || duration <= 0) {
    const dt = n > 1 ? duration / (n - 1) : 0;
    return {
      ...base, classification: 'insufficient-data', rate_mb_per_min: null, rate_ci95_mb_per_min: null, baseline: null,
      model: 'none', noise_mb: 0, period_s: null, explanation: `only ${n} sample${n === 1 ? '' : 's'}; at least ${MIN_SAMPLES} are needed`,
      need_more_s: dt > 0 ? (MIN_SAMPLES - n) * dt : null,
    };
  }
  // Long recordings are analysed as bin means on an even grid: same shape, bounded cost.
  const grid = toGrid(input.t_s, input.mb, MAX_FIT_POINTS);
  const dense = n > MAX_FIT_POINTS;
  const t = dense ? grid.t : input.t_s;
  const noise = robustNoise(dense ? grid.y : input.mb);
  const y = despike(dense ? grid.y : input.mb, noise);
  const cycles = detectCycles(toGrid(t, y, 2000), noise);
  if (cycles.period_s !== null) {
    return { ...base, noise_mb: noise, ...classifyCycles(t, y, cycles.period_s, noise, floor) };
  }
  if (cycles.drops > 0 && releasedAfterRising(t, y, noise)) {
    return {
      ...base, classification: 'insufficient-data', rate_mb_per_min: null, rate_ci95_mb_per_min: null, baseline: null,
      model: 'sawtooth', noise_mb: noise, period_s: null,
      explanation: 'memory is released in sharp drops, but fewer than 2 whole cycles were recorded', need_more_s: duration,
    };
  }
  return { ...base, noise_mb: noise, period_s: null, ...classifyTrend(t, y, noise, floor) };
}

/**
 * A GC-like drop: the level (median of 3) falls by more than 8 σ, after having been built up by
 * about as much; a one-off release from a flat level, or a noise excursion, is not one.
 */
function releasedAfterRising(t: ArrayLike<number>, y: ArrayLike<number>, noise: number): boolean {
  // …and large next to how far the level wanders: correlated noise also drifts by many σ of jitter.
  const { slope, intercept } = theilSen(t, y);
  const resid = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) resid[i] = y[i]! - intercept - slope * t[i]!;
  const levelSd = 1.4826 * mad(resid);
  const med3 = (i: number) => {
    const a = y[i]!, b = y[i + 1]!, c = y[i + 2]!;
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  };
  let lo = Infinity;
  for (let i = 3; i + 3 <= y.length; i++) {
    const before = med3(i - 3);
    const after = med3(i);
    lo = Math.min(lo, before);
    const drop = before - after;
    if (drop > 8 * noise && drop > 2.5 * levelSd && before - lo > 0.5 * drop) return true;
  }
  return false;
}
