// The verdict on one memory series: growing, cycling, plateau, stable or insufficient-data, with the
// steady-state rate and its 95 % interval. Pure: arrays in, a plain object out.
import { despike, robustNoise } from './stats.js';
import { aroundLoneRelease, findReleases, removeExcursions } from './releases.js';
import { formatDuration } from '../units.js';
import { toGrid } from './resample.js';
import { detectCycles } from './cycles.js';
import { periodAtReads } from './drops.js';
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
  const t0 = dense ? grid.t : input.t_s;
  const y0 = dense ? grid.y : input.mb;
  const noise = robustNoise(y0);
  const exc = removeExcursions(t0, despike(y0, noise), noise);
  const t = exc.end < t0.length ? (Array.prototype.slice.call(t0, 0, exc.end) as number[]) : t0;
  const y = exc.end < t0.length ? exc.y.subarray(0, exc.end) : exc.y;
  const excNote = exc.count ? `; ${exc.count} short excursion${exc.count === 1 ? '' : 's'} (${exc.height > 0 ? '+' : '−'}${Math.abs(exc.height).toFixed(0)} MB for ~${formatDuration(exc.width)}${exc.height > 0 ? ', e.g. checkpoints' : ''}) left out` : '';
  // A sawtooth plain on the readings (drops.ts) is judged on the readings as they are: read unevenly
  // and sparsely (4–6 readings per cycle), the spike filter takes its peaks and troughs for spikes,
  // the excursion filter bridges its releases, and the grid's autocorrelation misses the period or
  // sees twice it.
  const atReads = periodAtReads(t0, y0, noise);
  if (atReads !== null) {
    const c = classifyCycles(t0, y0, atReads, noise, floor, opts.limitMb);
    return { ...base, noise_mb: noise, ...c };
  }
  const cycles = detectCycles(toGrid(t, y, 2000), noise);
  if (cycles.period_s !== null) {
    const c = classifyCycles(t, y, cycles.period_s, cycles.noise, floor, opts.limitMb);
    return { ...base, noise_mb: cycles.noise, ...c, explanation: c.explanation + excNote };
  }
  if (cycles.drops > 0) {
    const releases = findReleases(t, y, noise);
    const lone = aroundLoneRelease(t, y, releases, MIN_SAMPLES);
    if (lone) {
      const tt = Array.prototype.slice.call(t, lone.from, lone.to) as number[];
      const yy = Array.prototype.slice.call(y, lone.from, lone.to) as number[];
      const r = classifyTrend(tt, yy, noise, floor);
      return { ...base, noise_mb: noise, period_s: null, ...r, explanation: `${r.explanation}; ${lone.note}${excNote}` };
    }
    if (releases.length) {
      return {
        ...base, classification: 'insufficient-data', rate_mb_per_min: null, rate_ci95_mb_per_min: null, baseline: null,
        model: 'sawtooth', noise_mb: noise, period_s: null,
        explanation: 'memory is released in sharp drops, but fewer than 2 whole cycles were recorded', need_more_s: duration,
      };
    }
  }
  const r = classifyTrend(t, y, noise, floor);
  return { ...base, noise_mb: noise, period_s: null, ...r, explanation: r.explanation + excNote };
}
