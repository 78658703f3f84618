// A leak that allocates in big chunks is a staircase: flat between steps, up at each, never down (a
// pymalloc size class pinned every 30 s, a cache that grows by whole batches). Its noise reads ~0 and
// its residuals around a line are a deterministic sawtooth, which an AR(1) interval takes for a
// near-unit-root wander: 6 steps of 34–74 MB in 3 min read "may be growing 94.7 (−185–375)"
// (fixtures/recordings/shape-fragment.csv). The steps themselves are the evidence: the line through
// the middle of each riser (where a straight leak of the same size would cross it) gives the rate, and
// the spread of the risers around it the interval.
import { fitLine, t975 } from './stats.js';

export interface Staircase {
  rate: number;
  ci: [number, number];
  /** Number of steps (risers) seen, their median interval (s) and their sizes (MB). */
  steps: number;
  every_s: number;
  min_mb: number;
  max_mb: number;
  /** The interval's half-width (MB/min). */
  half: number;
  /** The line through the risers (MB at t s), to draw under the series from the first riser on. */
  at: (t: number) => number;
  from_s: number;
}

interface Level {
  a: number; // first reading
  b: number; // one past the last
  v: number;
}

/**
 * The staircase seen on the readings, or null: at least 4 flat levels (3 readings or more each, within
 * 4 σ of their first), each higher than the one before, no reading anywhere falling below the highest
 * before it, 60 % of the readings on levels, the steps at intervals within ±50 % of their median, and
 * neither end level longer than 1.5 intervals (a staircase that stopped, or started late, is judged
 * as a shape: a plateau, a leak that starts).
 */
export function staircaseAtReads(t: ArrayLike<number>, y: ArrayLike<number>, noise: number): Staircase | null {
  const n = t.length;
  if (n < 12) return null;
  const tol = Math.max(4 * noise, 0.1);
  let top = -Infinity;
  for (let i = 0; i < n; i++) {
    if (y[i]! < top - tol) return null; // memory was given back: not a staircase
    top = Math.max(top, y[i]!);
  }
  const levels: Level[] = [];
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && Math.abs(y[j]! - y[i]!) <= tol) j++;
    if (j - i >= 3) {
      const v = (Array.prototype.slice.call(y, i, j) as number[]).sort((p, q) => p - q)[(j - i) >> 1]!;
      if (levels.length && v - levels[levels.length - 1]!.v <= 2 * tol) return null;
      levels.push({ a: i, b: j, v });
      i = j;
    } else i++;
  }
  if (levels.length < 4) return null;
  if (levels.reduce((s, l) => s + l.b - l.a, 0) < 0.6 * n) return null;
  // Each riser: from the last reading of a level to the first of the next; its middle in time and height.
  const tr: number[] = [], hr: number[] = [], sizes: number[] = [], widths: number[] = [];
  for (let k = 0; k + 1 < levels.length; k++) {
    const lo = levels[k]!, hi = levels[k + 1]!;
    tr.push((t[lo.b - 1]! + t[hi.a]!) / 2);
    hr.push((lo.v + hi.v) / 2);
    sizes.push(hi.v - lo.v);
    widths.push(t[hi.a]! - t[lo.b - 1]!);
  }
  const gaps = tr.slice(1).map((x, k) => x - tr[k]!).sort((p, q) => p - q);
  const every = gaps[gaps.length >> 1]!;
  if (!(every > 0) || gaps[0]! < 0.5 * every || gaps[gaps.length - 1]! > 1.5 * every) return null;
  if (tr[0]! - t[0]! > 1.5 * every || t[n - 1]! - tr[tr.length - 1]! > 1.5 * every) return null;
  const f = fitLine(tr, hr);
  // Where the risers sit on the line exactly (a synthetic staircase), the interval still carries where
  // in its riser each step happened (anywhere between the readings around it: uniform, w²/12) and the
  // levels' own noise.
  const mean = tr.reduce((a, b) => a + b, 0) / tr.length;
  const sxx = tr.reduce((s, x) => s + (x - mean) ** 2, 0);
  const timing = widths.reduce((s, w) => s + (f.slope * w) ** 2 / 12, 0) / widths.length + noise * noise;
  const se = Math.sqrt(f.se * f.se + timing / sxx);
  const half = t975(tr.length - 2) * se * 60;
  const rate = f.slope * 60;
  return { rate, ci: [rate - half, rate + half], steps: tr.length, every_s: every, min_mb: Math.min(...sizes), max_mb: Math.max(...sizes), half, at: (x) => f.intercept + f.slope * x, from_s: tr[0]! };
}
