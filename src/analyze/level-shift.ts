// Sharp falls in a series that rises on both sides of them. Two shapes the shape models do not have:
//
//   a line with one small level shift  ╱╱  (a leak; a start-up buffer given back once)
//   a rise, one release, a rise again  ╱|╱  (a sawtooth seen for 1–2 teeth, or a leak under one)
//
// A real 120 MB/min leaker read at 0.5 s that gave back 2.5 MB once read "may be growing 106
// (−52–264)" for 20 s and 118 (78–159) at 60 s: the line through the shift has residuals that step,
// which the AR(1) interval takes for a near-unit-root wander. With the shift taken out (both sides one
// line) it reads 120 on 20 s. A 20 MB/min leak under a 200 MB, 40 s sawtooth, 78 s of it (one release,
// 320 MB/min of build-up on both sides) read "flat within noise, stable 110 (−1700–1900)": one release
// cannot tell a cycle from a leak, and "flat" is what the readings are not.
import { mad, theilSen } from './stats.js';

/** A segment between falls: its Theil–Sen slope (MB/s) and line, how far readings sit off it. */
interface Side {
  from: number;
  to: number;
  slope: number;
  intercept: number;
  off: number;
}

function side(t: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): Side {
  const ts = Array.prototype.slice.call(t, from, to) as number[];
  const ys = Array.prototype.slice.call(y, from, to) as number[];
  const f = theilSen(ts, ys);
  const off = 1.4826 * mad(ys.map((v, i) => v - f.intercept - f.slope * ts[i]!));
  return { from, to, slope: f.slope, intercept: f.intercept, off };
}

/**
 * Indices of the first reading after each sharp fall: more than 8 σ of the reading-to-reading noise
 * (and 0.5 MB) between two readings, or over two where the release was caught mid-way (cut at the
 * lower one).
 */
export function sharpFalls(y: ArrayLike<number>, noise: number): number[] {
  const n = y.length;
  const big = Math.max(8 * noise, 0.5);
  const out: number[] = [];
  for (let i = 1; i < n; i++) {
    if (y[i - 1]! - y[i]! > big) {
      if (i + 1 < n && y[i + 1]! < y[i]! - big) i++;
      out.push(i);
    }
  }
  return out;
}

/** The side rises on its line beyond the noise (6 σ, 4 robust σ about the line, 0.5 MB) and faster than the floor (MB/min). */
function rises(t: ArrayLike<number>, s: Side, noise: number, floor: number): boolean {
  const rise = s.slope * (t[s.to - 1]! - t[s.from]!);
  return s.to - s.from >= 4 && s.slope * 60 >= floor && rise > Math.max(6 * noise, 4 * s.off, 0.5);
}

/**
 * Every stretch between sharp falls (at least one fall) is 4 readings or more and rises on a line:
 * memory was built up, released and built up again. Such a series is never "flat within noise".
 */
export function risesAroundFalls(t: ArrayLike<number>, y: ArrayLike<number>, noise: number, floor: number): { falls: number; every_s: number } | null {
  const n = t.length;
  const falls = sharpFalls(y, noise);
  if (!falls.length) return null;
  const bounds = [0, ...falls, n];
  // Each release stands alone between two rises: memory that falls over several readings in a row (a
  // main's pages shared with forked workers, read sparsely and carried in straight lines) is not one.
  for (let k = 0; k + 1 < bounds.length; k++) if (!rises(t, side(t, y, bounds[k]!, bounds[k + 1]!), noise, floor)) return null;
  return { falls: falls.length, every_s: (t[n - 1]! - t[0]!) / (falls.length + 1) };
}

/**
 * One line with one small level shift down: a single sharp fall, both sides (4 readings or more each)
 * clean lines (readings within a quarter of the shift of them) rising at rates within a factor 1.5 of
 * each other, and the shift — the gap between the two lines where the fall happened — at most 15 % of
 * what the line rises over the window (memory given back once, not a cycle's release). A flat sawtooth
 * seen for one release gives back at least half its rise (its period over a window of under two), so
 * it never passes; a leak under a sawtooth passes only where its teeth are small next to the leak, and
 * then reads at most ~1.4× its rate (a 30 MB/min leak under 30 MB teeth every 30 s read 60 with a
 * quarter allowed: shape-epoch-step.csv's first minute). Returns the series with the shift added back
 * after the fall, or null.
 */
export function lineWithOneShift(t: ArrayLike<number>, y: ArrayLike<number>, noise: number, floor: number): { y: Float64Array; shift: number; at: number } | null {
  const n = t.length;
  const falls = sharpFalls(y, noise);
  if (falls.length !== 1) return null;
  const d = falls[0]!;
  if (d < 4 || n - d < 4) return null;
  const a = side(t, y, 0, d), b = side(t, y, d, n);
  if (!rises(t, a, noise, floor) || !rises(t, b, noise, floor)) return null;
  if (Math.max(a.slope, b.slope) > 1.5 * Math.min(a.slope, b.slope)) return null;
  const at = (t[d - 1]! + t[d]!) / 2;
  const shift = a.intercept + a.slope * at - (b.intercept + b.slope * at);
  const pooled = (a.slope * (a.to - a.from) + b.slope * (b.to - b.from)) / n;
  if (!(shift > Math.max(8 * noise, 0.5)) || shift > 0.15 * pooled * (t[n - 1]! - t[0]!)) return null;
  if (Math.max(a.off, b.off) > 0.25 * shift) return null;
  const out = Float64Array.from(y as ArrayLike<number>);
  for (let i = d; i < n; i++) out[i] = out[i]! + shift;
  return { y: out, shift, at };
}
