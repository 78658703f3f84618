// The verdict on one memory series: growing, cycling, plateau, stable or insufficient-data, with the
// steady-state rate and its 95 % interval. Pure: arrays in, a plain object out.
import { despike, robustNoise } from './stats.js';
import { aroundLoneRelease, findReleases, removeExcursions } from './releases.js';
import { formatDuration } from '../units.js';
import { toGrid } from './resample.js';
import { detectCycles } from './cycles.js';
import { sawtoothAtReads } from './drops.js';
import { classifyCycles } from './classify-cycles.js';
import { classifyTrend } from './classify-trend.js';
import { staircaseAtReads } from './staircase.js';
import { startupEnd } from './startup.js';
import { lineWithOneShift, risesAroundFalls } from './level-shift.js';
import { fallAtEnd, type EndFall } from './end-fall.js';
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
  const atReads = sawtoothAtReads(t0, y0, noise);
  if (atReads !== null && atReads.releases >= 4) {
    const c = classifyCycles(t0, y0, atReads.period, noise, floor, opts.limitMb);
    return { ...base, noise_mb: noise, ...c };
  }
  if (atReads !== null) {
    // 2–3 releases, regular, memory built up between them: a sawtooth seen for 1–2 whole cycles. Its
    // troughs cannot be judged yet, and neither the cycle search (3 periods) nor a line through the
    // readings can judge it either.
    const more = (4 - atReads.releases) * atReads.period;
    return {
      ...base, classification: 'insufficient-data', rate_mb_per_min: null, rate_ci95_mb_per_min: null, baseline: null,
      model: 'sawtooth', noise_mb: noise, period_s: atReads.period,
      explanation: `memory rises and is released every ~${formatDuration(atReads.period)}, but ${atReads.releases} releases (${atReads.releases - 1} whole cycle${atReads.releases === 2 ? '' : 's'}) cannot tell whether the troughs rise; 4 are needed`,
      need_more_s: more,
    };
  }
  // One sharp fall in the last readings, none before it (end-fall.ts): a cycle's release or the end of
  // the run. Unless the target is known to have exited there, judged only once the readings after it
  // held flat (then the part before it is the rate, below).
  const endFall = opts.endsAtExit ? null : fallAtEnd(t0, y0, noise, MIN_SAMPLES);
  if (endFall && endFall.reading !== 'held') return { ...base, noise_mb: noise, ...undecidedEndFall(endFall, t0) };
  const stairs = staircaseAtReads(t0, y0, noise);
  if (stairs !== null && stairs.rate >= floor) {
    const growing = stairs.ci[0] > floor;
    const span = duration;
    return {
      ...base, noise_mb: noise, period_s: null, model: 'staircase', baseline: { t_s: [stairs.from_s, t0[t0.length - 1]!], mb: [stairs.at(stairs.from_s), stairs.at(t0[t0.length - 1]!)] },
      classification: growing ? 'growing' : 'insufficient-data', rate_mb_per_min: stairs.rate, rate_ci95_mb_per_min: stairs.ci,
      explanation: `memory grows in steps (${stairs.steps} of ${stairs.min_mb.toFixed(0)}–${stairs.max_mb.toFixed(0)} MB, every ~${formatDuration(stairs.every_s)}) and is never given back${growing ? '' : '; too few steps to tell the rate from no leak yet'}`,
      need_more_s: growing ? null : Math.max(span * Math.pow(stairs.half / Math.max(stairs.rate - floor, 1e-9), 2 / 3) - span, stairs.every_s),
    };
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
      const r = notFlat(tt, yy, noise, floor, classifyTrend(tt, yy, noise, floor));
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
  // A line with one small level shift down (memory given back once): judged with the shift taken out.
  const shifted = lineWithOneShift(t, y, noise, floor);
  if (shifted) {
    const r = classifyTrend(t, shifted.y, noise, floor);
    if (r.classification === 'growing') {
      const note = `; one drop of ${shifted.shift.toFixed(1)} MB at ~${formatDuration(shifted.at - t[0]!)} (memory given back once) left out`;
      const baseline = r.baseline && { t_s: r.baseline.t_s, mb: r.baseline.mb.map((v, i) => (r.baseline!.t_s[i]! >= shifted.at ? v - shifted.shift : v)) };
      return { ...base, noise_mb: noise, period_s: null, ...r, baseline, explanation: r.explanation + note + excNote };
    }
  }
  const r = classifyTrend(t, y, noise, floor);
  const after = r.classification === 'insufficient-data' ? afterStartup(t, y, noise, floor) : null;
  if (after) {
    const a = notFlat(t, y, noise, floor, after);
    return { ...base, noise_mb: noise, period_s: null, ...a, explanation: a.explanation + excNote };
  }
  const v = notFlat(t, y, noise, floor, r);
  return { ...base, noise_mb: noise, period_s: null, ...v, explanation: v.explanation + excNote };
}

/**
 * "Stable" is never said of readings that rise, fall sharply and rise again (level-shift.ts): a few
 * releases cannot tell a cycle from a leak under it, and the interval of a line through them
 * (±1,700 MB/min) says nothing; undecided, it is said why.
 */
function notFlat(t: ArrayLike<number>, y: ArrayLike<number>, noise: number, floor: number, r: ReturnType<typeof classifyTrend>): ReturnType<typeof classifyTrend> {
  if (r.classification !== 'stable' && r.classification !== 'insufficient-data') return r;
  const around = risesAroundFalls(t, y, noise, floor);
  if (!around) return r;
  const k = around.falls;
  return {
    ...r, classification: 'insufficient-data', rate_mb_per_min: null, rate_ci95_mb_per_min: null, model: 'sawtooth',
    explanation: `memory rises, is released sharply (${k === 1 ? 'once' : `${k} times`}) and rises again: ${k === 1 ? 'one release' : `${k} releases`} cannot tell a cycle from a leak under it; 4 are needed`,
    need_more_s: Math.max(0, 4 - k) * around.every_s,
  };
}

/**
 * The window without its start-up (startup.ts), where the whole window cannot be judged and the rest
 * can: judged with it, a shape spends a knot on the start-up (80 MB in 12 s before a flat level with one
 * step read "may be growing 70 MB/min"). Only then: a start-up followed by a flat level is still the
 * plateau a filling cache makes. A "stable" whose interval allows rates that would have moved memory
 * over the window by more than its whole range decides nothing.
 */
function afterStartup(t: ArrayLike<number>, y: ArrayLike<number>, noise: number, floor: number): ReturnType<typeof classifyTrend> | null {
  const up = startupEnd(t, y, noise, MIN_SAMPLES);
  if (up === 0) return null;
  const tt = Array.prototype.slice.call(t, up) as number[];
  const yy = Array.prototype.slice.call(y, up) as number[];
  const r = classifyTrend(tt, yy, noise, floor);
  if (r.classification === 'insufficient-data' || !r.rate_ci95_mb_per_min) return null;
  const half = (r.rate_ci95_mb_per_min[1] - r.rate_ci95_mb_per_min[0]) / 2;
  if ((half * (tt[tt.length - 1]! - tt[0]!)) / 60 > Math.max(...yy) - Math.min(...yy)) return null;
  return { ...r, explanation: `${r.explanation}; the start-up (+${(y[up]! - y[0]!).toFixed(0)} MB in the first ${formatDuration(t[up]! - t[0]!)}) left out` };
}

/** The verdict on a fall at the end the readings after it cannot place yet (end-fall.ts). */
function undecidedEndFall(f: EndFall, t: ArrayLike<number>): Omit<SeriesAnalysis, 'samples' | 'duration_s' | 'noise_mb'> {
  const last = `in the last ${f.after === 1 ? 'reading' : `${f.after} readings`}`;
  const before = t[f.at - 1]! - t[0]!;
  const explanation =
    f.reading === 'rises-again'
      ? `memory rises, is released sharply (once, ${last}) and rises again: one release cannot tell a cycle from a leak under it; 4 are needed`
      : `memory built up at ${f.buildUpRate.toFixed(0)} MB/min and dropped sharply (−${f.drop.toFixed(0)} MB) ${last}, with no release before: a release (one cycle's; its build-up is not a leak's rate) or the end of the run; the readings after it cannot tell which yet`;
  return {
    classification: 'insufficient-data', rate_mb_per_min: null, rate_ci95_mb_per_min: null, baseline: null, model: 'end-fall', period_s: null,
    explanation, need_more_s: f.reading === 'rises-again' ? 3 * before : f.need_s,
  };
}
