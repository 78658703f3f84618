// A process's start-up, when the tracker saw it: the interpreter, its imports and first buffers come
// in over the first seconds, fast, and then the steady state begins. It says nothing about the steady
// state, and a model of the window must otherwise spend a knot on it: 80 MB of start-up over 12 s
// before a flat level with one step of 120 MB made "linear, may be growing 70 MB/min" out of "stable
// apart from one step" (fixtures/recordings/shape-tails.csv, read on a loaded box).
import { median, theilSen } from './stats.js';

/**
 * Index of the first reading after the start-up, or 0. The steady state's floor is the lowest reading
 * of the second 1/8 of the window; the start-up is the leading readings below it (by more than 4 σ),
 * ending within that 1/8, that brought memory up to it by more than a jump (10 σ, 2 % of the level),
 * fast: the rest's own trend (Theil–Sen) accounts for under a quarter of that rise over the same time.
 * A leak rises as fast after as before, a flat start has nothing below the floor: nothing is left out.
 */
export function startupEnd(t: ArrayLike<number>, y: ArrayLike<number>, noise: number, minSamples: number): number {
  const n = t.length;
  const span = t[n - 1]! - t[0]!;
  let k = 0;
  while (k < n && t[k]! - t[0]! <= span / 8) k++;
  if (k >= n - minSamples) return 0;
  // The floor right after it (the second 1/8): a dip later on (USS while pages are shared for a while)
  // is no part of the start-up.
  let floor = Infinity;
  for (let i = k; i < n && t[i]! - t[0]! <= span / 4; i++) floor = Math.min(floor, y[i]!);
  const tol = Math.max(4 * noise, 0.5);
  let s = 0;
  for (let i = 0; i < k; i++) if (y[i]! < floor - tol) s = i + 1;
  if (s === 0 || s >= k) return 0;
  const jump = Math.max(10 * noise, 0.5, 0.02 * Math.abs(median(Array.from(y as ArrayLike<number>))));
  if (floor - y[0]! <= jump) return 0;
  const step = Math.max(1, Math.ceil((n - s) / 150));
  const ts: number[] = [], ys: number[] = [];
  for (let i = s; i < n; i += step) (ts.push(t[i]!), ys.push(y[i]!));
  const rest = theilSen(ts, ys).slope * (t[s]! - t[0]!);
  return rest < 0.25 * (y[s]! - y[0]!) ? s : 0;
}
