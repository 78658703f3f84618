// Small, dependency-free statistics used by the analysis: robust location/scale, least squares with
// standard errors, Student-t quantiles, Theil–Sen, autocorrelation. All pure.
import { ar1SlopeError } from './ar1.js';

/** Median of a numeric array (copies; does not reorder the input). */
export function median(xs: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(xs as ArrayLike<number>));
}

/** Median of a scratch buffer (may reorder it). */
function medianInPlace(a: Float64Array): number {
  const n = a.length;
  if (n === 0) return NaN;
  const bracketed = n >= 4096 ? bracketMedian(a) : null;
  if (bracketed !== null) return bracketed;
  const hi = select(a, n >> 1);
  if (n % 2) return hi;
  let lo = -Infinity; // the largest value left of the upper middle, after the partition
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

let inside = new Float64Array(0);

/**
 * The median of a large buffer without partitioning all of it: two values of a sample bracket the
 * middle, one pass counts what lies below the bracket and copies what lies in it (~1/6), and the
 * middle is selected there. Quickselect's unpredictable branches over Theil–Sen's 40,000 slopes were
 * a fifth of a fleet series' analysis. The same value as medianInPlace's quickselect, to the bit, or
 * null (and quickselect runs): where the middle fell outside the bracket, a value is NaN, or the
 * median is a zero (whether +0 or −0 comes out depends on the order quickselect leaves).
 */
function bracketMedian(a: Float64Array): number | null {
  const n = a.length, k = n >> 1, first = n % 2 ? k : k - 1;
  const sample = new Float64Array(512);
  for (let i = 0; i < 512; i++) sample[i] = a[Math.floor((i * n) / 512)]!;
  const lo = select(sample, 216), hi = select(sample, 296); // ±3.5 σ of the sample median's rank
  if (!(lo <= hi)) return null;
  if (inside.length < n) inside = new Float64Array(n);
  // Without branches (+bool): a value below, inside or above the bracket is a coin toss for the
  // branch predictor, which made this pass 4× slower. A NaN is in none of the three counts.
  let below = 0, w = 0, above = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const b = +(x < lo);
    below += b;
    inside[w] = x;
    w += +(x <= hi) - b;
    above += +(x > hi);
  }
  if (below + w + above !== n || first < below || k >= below + w) return null;
  const m = inside.subarray(0, w);
  const upper = select(m, k - below);
  let lower = upper;
  if (n % 2 === 0) {
    lower = -Infinity; // the largest value left of the upper middle, as medianInPlace takes it
    for (let i = 0; i < k - below; i++) if (m[i]! > lower) lower = m[i]!;
  }
  if (upper === 0 || lower === 0) return null;
  return n % 2 ? upper : (lower + upper) / 2;
}

/** The k-th smallest value (quickselect, in place: a is partitioned around it). O(n) on average. */
function select(a: Float64Array, k: number): number {
  let l = 0, r = a.length - 1;
  while (r > l) {
    const pivot = a[(l + r) >> 1]!;
    let i = l, j = r;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const x = a[i]!;
        a[i] = a[j]!;
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  return a[k]!;
}

/** Median absolute deviation (unscaled). */
export function mad(xs: ArrayLike<number>): number {
  const m = median(xs);
  const d = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) d[i] = Math.abs(xs[i]! - m);
  return median(d);
}

/**
 * Robust noise σ from first differences: 1.4826·MAD(Δy)/√2. A trend or a sawtooth's rare drops
 * barely move the median of the differences, so this measures the sample-to-sample jitter only.
 */
export function robustNoise(y: ArrayLike<number>): number {
  if (y.length < 3) return 0;
  const d = new Float64Array(y.length - 1);
  let q = Infinity;
  for (let i = 1; i < y.length; i++) {
    d[i - 1] = y[i]! - y[i - 1]!;
    const a = Math.abs(d[i - 1]!);
    if (a > 1e-9 * Math.max(1, Math.abs(y[i]!))) q = Math.min(q, a);
  }
  // Readings quantised to 0.1 MB (psrecord) on a steady trend give identical differences: MAD 0.
  // The quantisation itself is noise of σ = q/√12, q the smallest step seen.
  return Math.max((1.4826 * mad(d)) / Math.SQRT2, Number.isFinite(q) ? q / Math.sqrt(12) : 0);
}

export interface LineFit {
  slope: number;
  intercept: number;
  /** Standard error of the slope under AR(1) residuals (see ar1.ts). */
  se: number;
  rho: number;
  /** Degrees of freedom for the interval (effective, under that autocorrelation). */
  df: number;
  residualSd: number;
  n: number;
}

/**
 * Ordinary least squares y = a + b·t with an autocorrelation-aware slope standard error. `rhoAtLeast`:
 * the noise's autocorrelation measured over a longer stretch than [from, to), where the line is the
 * last segment of a model whose knot was chosen to fit it (which makes its own residuals look tame).
 */
export function fitLine(t: ArrayLike<number>, y: ArrayLike<number>, from = 0, to = t.length, rhoAtLeast = 0): LineFit {
  const n = to - from;
  let mt = 0, my = 0;
  for (let i = from; i < to; i++) (mt += t[i]!), (my += y[i]!);
  mt /= n;
  my /= n;
  let sxx = 0, sxy = 0;
  for (let i = from; i < to; i++) {
    const dt = t[i]! - mt;
    sxx += dt * dt;
    sxy += dt * (y[i]! - my);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = my - slope * mt;
  const r = new Float64Array(to);
  let rss = 0;
  for (let i = from; i < to; i++) {
    r[i] = y[i]! - intercept - slope * t[i]!;
    rss += r[i]! * r[i]!;
  }
  const s2 = n > 2 ? rss / (n - 2) : 0;
  const ar = sxx > 0 ? ar1SlopeError(t, r, from, to, rhoAtLeast) : { rho: 0, se: Infinity, df: 1 };
  return { slope, intercept, se: ar.se, rho: ar.rho, df: ar.df, residualSd: Math.sqrt(s2), n };
}

/** Two-sided 97.5 % Student-t quantile (the 95 % interval multiplier) for `df` degrees of freedom. */
export function t975(df: number): number {
  if (df <= 0) return Infinity;
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];
  if (df <= table.length) return table[Math.floor(df) - 1]!;
  return 1.96 + 2.4 / df; // within 0.3 % of the exact quantile for df > 20
}

/** Deterministic PRNG (mulberry32) so analyses are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Theil–Sen's 40,000 random pairs for n points: the seeded generator gives the same pairs for the
 * same n, and a fleet's series all have the same n, so they are drawn once (drawing them was half of
 * a 720-point Theil–Sen's time).
 */
let pairs: { n: number; is: Int32Array; js: Int32Array } | null = null;
function randomPairs(n: number): { is: Int32Array; js: Int32Array } {
  if (pairs?.n !== n) {
    const r = rng(12345);
    const is = new Int32Array(40000), js = new Int32Array(40000);
    for (let k = 0; k < 40000; k++) (is[k] = Math.floor(r() * n)), (js[k] = Math.floor(r() * n));
    pairs = { n, is, js };
  }
  return pairs;
}

/**
 * Theil–Sen slope: the median of pairwise slopes. Exact up to 300 points; above that, the median of
 * 40,000 random pairs (seeded), so the cost stays O(1) in the series length.
 */
export function theilSen(t: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  const n = t.length;
  // One typed buffer, its median selected in place: the pairs were a growing number[] copied again
  // for the median, most of the analysis's time (the cycle search detrends with this).
  const slopes = new Float64Array(n <= 300 ? (n * (n - 1)) / 2 : 40000);
  let m = 0;
  if (n <= 300) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (t[j]! !== t[i]!) slopes[m++] = (y[j]! - y[i]!) / (t[j]! - t[i]!);
  } else {
    const { is, js } = randomPairs(n);
    for (let k = 0; k < 40000; k++) {
      const i = is[k]!, j = js[k]!;
      if (t[j]! !== t[i]!) slopes[m++] = (y[j]! - y[i]!) / (t[j]! - t[i]!);
    }
  }
  const slope = m ? medianInPlace(slopes.subarray(0, m)) : 0;
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) res[i] = y[i]! - slope * t[i]!;
  return { slope, intercept: medianInPlace(res) };
}

/**
 * A cheap robust trend for detrending: the median of the n/2 slopes between samples half the window
 * apart (O(n), where Theil–Sen's pairs are 40,000). Only the slope is needed there.
 */
export function halfSpanSlope(t: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = t.length, h = n >> 1;
  if (h < 1) return 0;
  const s = new Float64Array(n - h);
  let m = 0;
  for (let i = 0; i + h < n; i++) if (t[i + h]! !== t[i]!) s[m++] = (y[i + h]! - y[i]!) / (t[i + h]! - t[i]!);
  return m ? median(s.subarray(0, m)) : 0;
}

/** Autocorrelation of a (mean-removed) evenly spaced series for lags 0..maxLag. */
export function autocorrelation(x: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += (x[i]! - m) ** 2;
  const out = new Float64Array(maxLag + 1);
  for (let k = 0; k <= maxLag; k++) {
    let c = 0;
    for (let i = 0; i + k < n; i++) c += (x[i]! - m) * (x[i + k]! - m);
    out[k] = c0 > 0 ? c / c0 : 0;
  }
  return out;
}

/**
 * Spike removal (a Hampel filter that respects edges): a point further than `k`·σ from the median of
 * its ±2 neighbours is replaced by that median, unless the levels on its two sides differ (two samples each),
 * which is what a step or a sawtooth's drop looks like (the trough after a release must survive).
 */
export function despike(y: ArrayLike<number>, sigma: number, k = 6): Float64Array {
  const n = y.length;
  const out = Float64Array.from(y as ArrayLike<number>);
  if (n < 5 || sigma <= 0) return out;
  const lim = k * sigma;
  const w = new Float64Array(5);
  const sl = new Float64Array(10);
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, Math.min(n - 5, i - 2));
    // The window's own line (median of its 10 pairwise slopes): on a steep ramp the window's median
    // is two steps away from the edge samples, and they are not spikes.
    let m = 0;
    for (let p = 0; p < 5; p++) for (let q = p + 1; q < 5; q++) sl[m++] = (y[a + q]! - y[a + p]!) / (q - p);
    sl.sort();
    // only on a consistent ramp: at a knee (a start-up that stops) the pairs disagree, and a slope
    // through the knee would call the first sample of the plateau a spike
    const slope = sl[7]! - sl[2]! <= 2 * lim ? (sl[4]! + sl[5]!) / 2 : 0;
    for (let j = 0; j < 5; j++) w[j] = y[a + j]! - slope * (a + j - i);
    w.sort();
    if (Math.abs(y[i]! - w[2]!) <= lim) continue;
    // Level on each side (two samples, one step away): a spike returns to where it came from, a drop
    // does not. The step away lets a spike two points wide (a blip that straddles two resampling
    // bins, or a carried-forward reading) go too; the window's median still sees the level.
    if (i < 3 || i > n - 4) {
      // Near the ends there is no level on the far side: predict from the 3 samples on the inner
      // side (if they are in line), and replace only if the samples further out are back on it.
      const dir = i < 3 ? 1 : -1;
      const a1 = i + dir, a2 = i + 2 * dir, a3 = i + 3 * dir;
      if (a3 < 0 || a3 >= n) continue;
      const d1 = y[a1]! - y[a2]!, d2 = y[a2]! - y[a3]!;
      const step = (d1 + d2) / 2, pred = y[a1]! + step;
      const dev = Math.abs(y[i]! - pred);
      if (dev <= lim || Math.abs(d1 - d2) > Math.max(lim, 0.25 * dev)) continue;
      // At the very first or last reading nothing further out can show the series back on the line: a
      // last reading back on a leak's line after three readings above it (a transient buffer caught by a
      // loaded tracker) was "predicted" up to the excursion's level, which then read as the leak
      // speeding up (120 MB/min reported as 222).
      let back = true, seen = 0;
      for (let o = i - dir, k = 1; o >= 0 && o < n && k <= 2; o -= dir, k++, seen++) if (Math.abs(y[o]! - pred - k * step) > lim) back = false;
      if (back && seen > 0) out[i] = pred;
      continue;
    }
    const before = (y[i - 2]! + y[i - 3]!) / 2 + 2.5 * slope, after = (y[i + 2]! + y[i + 3]!) / 2 - 2.5 * slope;
    if (Math.abs(before - after) < 0.5 * Math.abs(y[i]! - w[2]!)) out[i] = w[2]!;
  }
  return out;
}
