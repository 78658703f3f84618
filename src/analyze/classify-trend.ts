// Classification of a series without cycles: fit shape models to the series itself, take the rate
// from the last segment, and decide growing / plateau / stable / undecided.
import { fitLine, mad, t975, theilSen } from './stats.js';
import { chooseModel, fitModels, type ModelFit } from './models.js';
import type { SeriesAnalysis } from './types.js';
import { formatDuration } from '../units.js';

/** Analyse trend-only data (t in s, y in MB); `floor` in MB/min, `noise` the robust σ. */
export function classifyTrend(t: ArrayLike<number>, y: ArrayLike<number>, noise: number, floor: number): TrendVerdict {
  const n = t.length;
  // A knot must mark a real change of slope (a leak starting or stopping), not a wiggle that BIC
  // can buy with one parameter: otherwise the "last segment" is a few noisy points at the end.
  const floorPerS = floor / 60;
  const changes = (a: number, b: number) => Math.abs(b - a) > Math.max(floorPerS, 0.25 * Math.max(Math.abs(a), Math.abs(b)));
  const fits = fitModels(t, y).filter((f) => {
    if (f.name !== 'hinge') return true;
    if (!changes(f.startSlope, f.endSlope)) return false;
    // …and the change must survive a robust look at each side: one catch-up jump of a starved process
    // near the end (a 120 MB/min leaker stalled 0.5 s, then allocated 4.5 MB at once) bought a knot
    // whose least-squares end slope read 189 MB/min; Theil–Sen on each side reads 120 and 120.
    let k = 0;
    while (k < n && t[k]! < f.lastSegmentFrom) k++;
    if (k < 3 || n - k < 3) return true;
    return changes(robustSlope(t, y, 0, k), robustSlope(t, y, k, n));
  });
  const m = chooseModel(fits);
  const r = judgeModel(t, y, noise, floor, m)!;
  if (r.classification === 'growing') return r;
  // The simpler model wins within chooseModel's margin; but where the noise's correlation is taken from
  // residuals a start-up the models cannot follow (torch's import under load: 15 s of an S-shaped climb
  // before a 75 MB/min leak) pins ρ at 0.99, the margin is worth 10 of ~6 effective samples and the
  // line through import and leak (370 MB/min, −1800–2500) or a constant won for 26 s of a 45 s run:
  // "stable", "plateau" or undecided on a clear leak. Where ρ is pinned so, the best-scoring model's last
  // segment is the reading — only where that segment is a clean line on its own (the high ρ came from
  // the misfit before it, not from the noise) and reads growing with its interval widened by that same
  // ρ. Noise that wanders buys knots too (generated flat series of AR(0.7–0.95) noise read 49 and 61
  // MB/min through one where ρ was not pinned): the simpler model's verdict stands.
  const best = fits.reduce((a, b) => (b.bic < a.bic ? b : a));
  if (best === m || !((best.noiseRho ?? 0) >= PINNED_RHO)) return r;
  const rb = judgeModel(t, y, noise, floor, best, CLEAN_END_RHO);
  return rb?.classification === 'growing' ? rb : r;
}

/** ρ of the closest fit's residuals from which model scoring has almost no samples left (nEff ≤ n/19). */
const PINNED_RHO = 0.9;
/** The lag-1 correlation of a last segment's own residuals at most which it is "a clean line". */
const CLEAN_END_RHO = 0.5;

type TrendVerdict = Omit<SeriesAnalysis, 'samples' | 'duration_s' | 'noise_mb' | 'period_s'>;

/** The verdict on t, y (n ≥ 8) read through one fitted shape model `m`; null where `cleanEndRho` is given and the last segment's own residuals correlate more. */
function judgeModel(t: ArrayLike<number>, y: ArrayLike<number>, noise: number, floor: number, m: ModelFit, cleanEndRho?: number): TrendVerdict | null {
  const n = t.length;
  const t0 = t[0]!;
  const tEnd = t[n - 1]!;
  let from = 0;
  while (from < n - 1 && t[from]! < m.lastSegmentFrom) from++;
  from = Math.min(from, n - 8); // at least 8 points for the last segment's slope
  // A knot on the coarse grid can fall inside a fast transition: a 3 GB process touching its memory for
  // 10 s at start-up, its knot at 6 s, the 8 s reading still 17 MB short of the line after it — which
  // read the 10 MB/min leak that follows as 14 (6–22). Leading readings of the last segment that sit far
  // off the segment's robust line belong to the transition.
  // A step's knot falls inside its transition the same way (a 120 MB level shift touched over 12 s
  // on a loaded box): the readings of the transition are not the level after it.
  if ((m.name === 'hinge' || m.name === 'step') && from > 0) from = pastTransition(t, y, from, n, noise);
  if (cleanEndRho !== undefined && !(fitLine(t, y, Math.max(0, from), n).rho <= cleanEndRho)) return null;
  const lf = fitLine(t, y, Math.max(0, from), n, from > 0 ? m.noiseRho : 0);
  // A saturating curve is still bending inside its last segment: its own end slope is the rate.
  const rate = lf.slope * 60;
  const half = t975(lf.df) * lf.se * 60;
  const ci: [number, number] = [rate - half, rate + half];
  const rise = m.at(tEnd) - m.at(t0);
  const baseline = sampleModel(m.at, t0, tEnd);
  const model = m.name === 'hinge' ? (Math.abs(m.endSlope * 60) < floor ? 'hinge-flat' : 'hinge') : m.name;
  if (ci[0] > floor) {
    // "Started growing at" only where it did: flat (below the floor, or a small fraction of the
    // end rate) before the knot. A fast start that slowed is a warm-up; the rate is what follows.
    const knotAt = formatDuration(m.lastSegmentFrom - t0);
    const startedThere = Math.abs(m.startSlope * 60) < Math.max(floor, 0.25 * rate);
    const how =
      m.name === 'hinge' && from > 0 && startedThere
        ? `memory started growing at ~${knotAt} and keeps growing`
        : m.name === 'hinge' && from > 0 && m.startSlope > m.endSlope
          ? `growth slowed at ~${knotAt} (a warm-up) but has not stopped; the rate is the one since`
          : m.name === 'hinge' && from > 0
            ? `memory grows, faster since ~${knotAt}`
            : m.name === 'saturating'
              ? 'growth is slowing but has not stopped'
              : 'memory grows steadily and is not being released';
    return { classification: 'growing', rate_mb_per_min: rate, rate_ci95_mb_per_min: ci, baseline, model, explanation: how, need_more_s: null };
  }
  const roseWell = rise > Math.max(6 * noise, 4 * lf.residualSd, 0.5);
  const stillRising = rate >= floor && ci[0] > 0;
  // "Levelled off" is a claim about the end slope: not made while it reads above the floor and the
  // interval is merely too wide to exclude 0 (a warm-up, then a slow leak in wandering readings)
  // (with some evidence: the rate at least one standard error above 0).
  // (Nor when the end reads flat on most of its readings and only a few lift the line: an LRU read at
  // 0.5 s sat at exactly 66.8 MB on 36 of 38 readings and caught two items mid-eviction, +3.3 and
  // +3.9 MB, in the last 7 s: least squares read 2.1 MB/min, Theil–Sen 0.)
  const maybeRising = rate >= floor && rate >= half / 2 && (m.name === 'hinge' || m.name === 'saturating') && m.endSlope * 60 >= floor && robustSlope(t, y, Math.max(0, from), n) * 60 >= floor;
  // …and only when the end is flat next to the rise before it (or below the floor).
  const levelled = rate < floor || rate < 0.25 * Math.abs(m.startSlope * 60);
  if (roseWell && (m.name === 'hinge' || m.name === 'saturating') && !stillRising && !maybeRising && levelled) {
    return {
      classification: 'plateau', rate_mb_per_min: rate, rate_ci95_mb_per_min: ci, baseline, model,
      explanation: `it grew by ${rise.toFixed(0)} MB and then levelled off (a cache filling up, or warm-up)`, need_more_s: null,
    };
  }
  // A straight rise well above the noise whose interval is wide only because its residuals are strongly
  // correlated (a staircase: a leak allocating in a few big chunks, three steps in 18 s) is not "flat
  // within noise": it may be growing, and more recording decides.
  // (Nor is a constant or a step "flat" where the readings of its flat part rise well beyond the noise
  // on a robust line: neither can say growth, and their interval is wide for the misfit — 13 readings of
  // torch's import, 10 → 50 MB in 6 s, read "stable"; a 9 s import, then 75 MB/min for 10 s with
  // ±0.2 MB noise, read "flat within noise apart from one step of 181 MB".)
  // (The readings must sit on that robust line: a main whose pages its DataLoader workers share and
  // un-share moves by steps both ways, and is flat.)
  const lineRose = m.name === 'constant' && lf.slope * (tEnd - t0) > Math.max(6 * noise, 4 * lf.residualSd, 0.5);
  const endRose = lineRose || ((m.name === 'constant' || m.name === 'step') && risesOnALine(t, y, Math.max(0, from), n, noise, floor));
  const steppedRise = (roseWell && m.name === 'linear' && rate >= floor) || (endRose && rate >= floor);
  if (stillRising || steppedRise || (roseWell && (maybeRising || ((m.name === 'hinge' || m.name === 'saturating') && !levelled)))) {
    // Significant growth, but not yet clearly above the floor: record longer (SE ∝ T^(-3/2)).
    // Growth that is not even significant is noise around a flat end: plateau or stable.
    const span = tEnd - t[Math.max(0, from)]!;
    const need = span * Math.pow(half / Math.max(rate - floor, 1e-9), 2 / 3) - span;
    return {
      classification: 'insufficient-data', rate_mb_per_min: rate, rate_ci95_mb_per_min: ci, baseline, model,
      explanation: `it may be growing (${rate.toFixed(1)} MB/min) but the interval still includes no leak`,
      need_more_s: Math.max(need, 0),
    };
  }
  const step = m.name === 'step' ? ` apart from one step of ${rise.toFixed(0)} MB at ~${formatDuration(m.lastSegmentFrom - t0)}` : '';
  return {
    classification: 'stable', rate_mb_per_min: rate, rate_ci95_mb_per_min: ci, baseline, model,
    explanation: `flat within noise (±${noise.toFixed(1)} MB)${step}`, need_more_s: null,
  };
}

function sampleModel(at: (t: number) => number, a: number, b: number): { t_s: number[]; mb: number[] } {
  const t_s = Array.from({ length: 120 }, (_, i) => a + ((b - a) * i) / 119);
  return { t_s, mb: t_s.map(at) };
}

/** Theil–Sen slope of t[from..to) (per second), on at most 150 evenly spaced points. */
function robustSlope(t: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): number {
  const n = to - from;
  const step = Math.max(1, Math.ceil(n / 150));
  const ts: number[] = [];
  const ys: number[] = [];
  for (let i = from; i < to; i += step) (ts.push(t[i]!), ys.push(y[i]!));
  return theilSen(ts, ys).slope;
}

/** First index from `from` on whose reading is within reach of the robust line through the rest. */
function pastTransition(t: ArrayLike<number>, y: ArrayLike<number>, from: number, n: number, noise: number): number {
  const tol = Math.max(6 * noise, 1);
  while (from < n - 8) {
    const ts: number[] = [];
    const ys: number[] = [];
    for (let i = from + 1; i < n; i += Math.max(1, Math.ceil((n - from - 1) / 150))) (ts.push(t[i]!), ys.push(y[i]!));
    const f = theilSen(ts, ys);
    // theilSen's intercept is at t = 0 of the times it was given
    if (Math.abs(y[from]! - (f.intercept + f.slope * t[from]!)) <= tol) break;
    from++;
  }
  return from;
}

/** t[from..to) rises on a robust line beyond the noise (6 σ, and 6 robust σ of the readings about that line), faster than the floor. */
function risesOnALine(t: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number, noise: number, floor: number): boolean {
  const ts = Array.prototype.slice.call(t, from, to) as number[];
  const ys = Array.prototype.slice.call(y, from, to) as number[];
  const f = theilSen(ts, ys);
  const rise = f.slope * (ts[ts.length - 1]! - ts[0]!);
  const off = 1.4826 * mad(ys.map((v, i) => v - f.intercept - f.slope * ts[i]!));
  return f.slope * 60 >= floor && rise > Math.max(6 * noise, 6 * off, 0.5);
}
