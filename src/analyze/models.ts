// Shape models for a memory baseline, fitted by least squares and compared by BIC:
//
//   constant   ────────        linear   ╱          step   ──┐__ / __┌──
//   hinge      ╱‾‾‾‾ or __╱    saturating exponential  ╭────  (warm-up, cache fill)
//
// The rate that matters is the slope at the end of the window ("the last segment").

import { residualRho } from './ar1.js';

export type ModelName = 'constant' | 'linear' | 'step' | 'hinge' | 'saturating';

export interface ModelFit {
  name: ModelName;
  params: number; // for BIC
  rss: number;
  bic: number;
  /** Fitted value at time t. */
  at: (t: number) => number;
  /** Start of the last segment (the knot for hinge/step), for the rate's interval. */
  lastSegmentFrom: number;
  /** Slope at the end of the window, MB/s. */
  endSlope: number;
  /** Slope at the start of the window, MB/s. */
  startSlope: number;
  /** The noise's lag-1 autocorrelation over the whole window (from the closest fit's residuals). */
  noiseRho?: number;
}

function bic(n: number, rss: number, k: number): number {
  return n * Math.log(Math.max(rss, 1e-12) / n) + k * Math.log(n);
}

/** Solve a small symmetric linear system (normal equations) by Gaussian elimination. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (Math.abs(m[p]![c]!) < 1e-12) return null;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** One basis function evaluated at every sample. */
function column(t: ArrayLike<number>, f: (t: number) => number): Float64Array {
  const c = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) c[i] = f(t[i]!);
  return c;
}

/**
 * Least squares on basis columns already evaluated: the constant and the line are the same for every
 * knot and every τ, so fitModels evaluates them once (a 24 h fleet series spent a third of its
 * analysis re-evaluating them 110 times). Same sums in the same order as before: same fits.
 */
function lsqColumns(y: ArrayLike<number>, cols: Float64Array[]): { coef: number[]; rss: number } | null {
  const k = cols.length, n = y.length;
  const ata = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const aty = new Array<number>(k).fill(0);
  for (let j = 0; j < k; j++) {
    const cj = cols[j]!;
    let sy = 0;
    for (let i = 0; i < n; i++) sy += cj[i]! * y[i]!;
    aty[j] = sy;
    for (let l = j; l < k; l++) {
      const cl = cols[l]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += cj[i]! * cl[i]!;
      ata[j]![l] = s;
    }
  }
  for (let j = 0; j < k; j++) for (let l = 0; l < j; l++) ata[j]![l] = ata[l]![j]!;
  const coef = solve(ata, aty);
  if (!coef) return null;
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < k; j++) f += coef[j]! * cols[j]![i]!;
    rss += (y[i]! - f) ** 2;
  }
  return { coef, rss };
}

/**
 * lsqColumns(y, [...base, c]) where base's sums are already in `fit` (lsqColumns(y, base) computed
 * them): only c's own sums are taken, in one pass, each in the same order as lsqColumns takes it, so
 * the fit is the same to the bit. The 70 knot and τ candidates of a fleet series spent most of
 * fitModels re-summing the constant and the line (bench/README.md §6).
 */
function lsqExtend(y: ArrayLike<number>, base: Float64Array[], sums: { ata: number[][]; aty: number[] }, c: Float64Array): { coef: number[]; rss: number } | null {
  const n = y.length, p = base.length;
  const b0 = base[0]!, b1 = base[p - 1]!;
  let sy = 0, s0 = 0, s1 = 0, cc = 0;
  for (let i = 0; i < n; i++) {
    const v = c[i]!;
    sy += v * y[i]!;
    s0 += b0[i]! * v;
    s1 += b1[i]! * v;
    cc += v * v;
  }
  const cross = p === 1 ? [s0] : [s0, s1];
  const ata = sums.ata.map((row, j) => [...row.slice(0, p), cross[j]!]);
  ata.push([...cross, cc]);
  const coef = solve(ata, [...sums.aty.slice(0, p), sy]);
  if (!coef) return null;
  let rss = 0;
  if (p === 1) {
    for (let i = 0; i < n; i++) {
      let f = 0;
      f += coef[0]! * b0[i]!;
      f += coef[1]! * c[i]!;
      rss += (y[i]! - f) ** 2;
    }
  } else {
    for (let i = 0; i < n; i++) {
      let f = 0;
      f += coef[0]! * b0[i]!;
      f += coef[1]! * b1[i]!;
      f += coef[2]! * c[i]!;
      rss += (y[i]! - f) ** 2;
    }
  }
  return { coef, rss };
}

/** The sums lsqColumns takes of `cols` (two at most) and y, kept for lsqExtend. */
function sumsOf(y: ArrayLike<number>, cols: Float64Array[]): { ata: number[][]; aty: number[] } {
  const k = cols.length, n = y.length;
  const ata = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const aty = new Array<number>(k).fill(0);
  for (let j = 0; j < k; j++) {
    let sy = 0;
    for (let i = 0; i < n; i++) sy += cols[j]![i]! * y[i]!;
    aty[j] = sy;
    for (let l = j; l < k; l++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += cols[j]![i]! * cols[l]![i]!;
      ata[j]![l] = ata[l]![j] = s;
    }
  }
  return { ata, aty };
}

/**
 * Candidate knots: 40 evenly spaced times from the 4th sample to the 90th percentile of t, leaving at
 * least 8 samples after the knot (a slope from 3 samples is noise, and it would be "the rate").
 */
function knots(t: ArrayLike<number>): number[] {
  const n = t.length;
  const a = t[Math.min(3, n - 1)]!; // a start-up of a few samples (an import, a fork) is a knot too
  const b = t[Math.max(Math.min(Math.floor(n * 0.9), n - 8), 0)]!;
  return Array.from({ length: 40 }, (_, i) => a + ((b - a) * i) / 39);
}

/** Fit all models (t relative to the first sample, seconds). */
export function fitModels(t: ArrayLike<number>, y: ArrayLike<number>): ModelFit[] {
  const n = t.length;
  const t0 = t[0]!;
  const tEnd = t[n - 1]!;
  const one = () => 1;
  const lin = (x: number) => x - t0;
  const out: ModelFit[] = [];
  const ones = column(t, one);
  const line = column(t, lin);
  const c = lsqColumns(y, [ones])!;
  out.push({ name: 'constant', params: 1, rss: c.rss, bic: bic(n, c.rss, 1), at: () => c.coef[0]!, lastSegmentFrom: t0, endSlope: 0, startSlope: 0 });
  const l = lsqColumns(y, [ones, line]);
  if (l) out.push({ name: 'linear', params: 2, rss: l.rss, bic: bic(n, l.rss, 2), at: (x) => l.coef[0]! + l.coef[1]! * (x - t0), lastSegmentFrom: t0, endSlope: l.coef[1]!, startSlope: l.coef[1]! });
  let bestStep: ModelFit | null = null;
  let bestHinge: ModelFit | null = null;
  const sums1 = sumsOf(y, [ones]);
  const sums2 = sumsOf(y, [ones, line]);
  const col = new Float64Array(n); // the candidate's column, filled in place (not kept by a fit)
  for (const k of knots(t)) {
    for (let i = 0; i < n; i++) col[i] = t[i]! >= k ? 1 : 0;
    const s = lsqExtend(y, [ones], sums1, col);
    if (s && (!bestStep || s.rss < bestStep.rss)) {
      bestStep = { name: 'step', params: 3, rss: s.rss, bic: bic(n, s.rss, 3), at: (x) => s.coef[0]! + (x >= k ? s.coef[1]! : 0), lastSegmentFrom: k, endSlope: 0, startSlope: 0 };
    }
    for (let i = 0; i < n; i++) col[i] = Math.max(0, t[i]! - k);
    const h = lsqExtend(y, [ones, line], sums2, col);
    if (h && (!bestHinge || h.rss < bestHinge.rss)) {
      bestHinge = { name: 'hinge', params: 4, rss: h.rss, bic: bic(n, h.rss, 4), at: (x) => h.coef[0]! + h.coef[1]! * (x - t0) + h.coef[2]! * Math.max(0, x - k), lastSegmentFrom: k, endSlope: h.coef[1]! + h.coef[2]!, startSlope: h.coef[1]! };
    }
  }
  if (bestStep) out.push(bestStep);
  if (bestHinge) out.push(bestHinge);
  let bestSat: ModelFit | null = null;
  const span = Math.max(tEnd - t0, 1e-9);
  for (let i = 0; i < 30; i++) {
    const tau = (span / 30) * Math.pow(60, i / 29); // span/30 … 2·span
    const e = (x: number) => 1 - Math.exp(-(x - t0) / tau);
    for (let j = 0; j < n; j++) col[j] = e(t[j]!);
    const s = lsqExtend(y, [ones], sums1, col);
    if (s && s.coef[1]! > 0 && (!bestSat || s.rss < bestSat.rss)) {
      bestSat = {
        name: 'saturating', params: 3, rss: s.rss, bic: bic(n, s.rss, 3), at: (x) => s.coef[0]! + s.coef[1]! * e(x),
        lastSegmentFrom: t0 + 0.75 * span, endSlope: (s.coef[1]! / tau) * Math.exp(-span / tau), startSlope: s.coef[1]! / tau,
      };
    }
  }
  if (bestSat) out.push(bestSat);
  return rescoreForCorrelation(t, y, out);
}

/**
 * BIC counts independent samples. Wandering noise (AR(1), ρ) holds only about n·(1−ρ)/(1+ρ) of
 * them, and a knot or a curve bought on it is free otherwise: score every model with that effective
 * n, ρ taken from the residuals of the closest fit (the least misfit, so a real change of slope is
 * not mistaken for correlation).
 */
function rescoreForCorrelation(t: ArrayLike<number>, y: ArrayLike<number>, fits: ModelFit[]): ModelFit[] {
  const n = t.length;
  const best = fits.reduce((a, b) => (b.rss < a.rss ? b : a));
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = y[i]! - best.at(t[i]!);
  // ρ corrected for the fit (ar1.ts): the residuals' own lag-1 is biased low on short windows, and
  // a knot bought on the wander of a 90-sample φ = 0.98 run gave a last segment whose interval missed.
  const rho = Math.max(0, Math.min(0.99, residualRho(t, r)));
  const nEff = Math.max(6, (n * (1 - rho)) / (1 + rho));
  return fits.map((f) => ({ ...f, noiseRho: rho, bic: nEff * Math.log(Math.max(f.rss, 1e-12) / n) + f.params * Math.log(nEff) }));
}

/**
 * The model to believe: the lowest BIC, except that a simpler model within `margin` of it wins
 * (complex shapes must earn their parameters; correlated noise otherwise buys knots for free).
 */
export function chooseModel(fits: ModelFit[], margin = 10): ModelFit {
  const best = fits.reduce((a, b) => (b.bic < a.bic ? b : a));
  const ok = fits.filter((f) => f.bic <= best.bic + margin);
  return ok.reduce((a, b) => (b.params < a.params || (b.params === a.params && b.bic < a.bic) ? b : a));
}
