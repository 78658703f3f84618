// A sharp fall in the last few readings, with no release before it:
//
//   ╱╱╱|_      memory built up over the whole window, then given back at its very end
//
// It is either one cycle's release (a GC-like sawtooth seen for its first tooth: the build-up before it
// is the cycle's, not a leak's) or the end of the run (an eval phase, a process tearing down). The readings
// cannot tell which until those after the fall show whether memory builds up again. A 20 MB/min leak
// under a 200 MB, 40 s sawtooth cut 2–8 s after its first release read "growing 321 MB/min (320–322)":
// the build-up rate, 16× the leak, with the confidence of a line. So: where the target is not known to
// have exited there (AnalyzeOptions.endsAtExit), the fall is judged only once the readings after it say
// which it was — held flat where the build-up would have shown (an eval phase: the part before is the
// rate), or rising again (a cycle seen once: undecided); until then it is undecided, and said why.
import { mad, theilSen } from './stats.js';

/** What the readings after a fall at the end say. */
export type EndFallReading = 'held' | 'rises-again' | 'undecided';

export interface EndFall {
  /** Index of the first reading after the fall. */
  at: number;
  /** How far it fell (MB), and over how many readings since (the fall's own included). */
  drop: number;
  after: number;
  reading: EndFallReading;
  /** The rate (MB/min) memory was built up at before the fall. */
  buildUpRate: number;
  /** For undecided: how much longer to record before the readings after the fall can tell (s). */
  need_s: number;
}

/** Theil–Sen line of t[from..to) and the robust σ of readings about it. */
function line(t: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number): { slope: number; intercept: number; off: number } {
  const ts = Array.prototype.slice.call(t, from, to) as number[];
  const ys = Array.prototype.slice.call(y, from, to) as number[];
  const f = theilSen(ts, ys);
  return { slope: f.slope, intercept: f.intercept, off: 1.4826 * mad(ys.map((v, i) => v - f.intercept - f.slope * ts[i]!)) };
}

/**
 * The fall at the end of raw readings `y` (before any spike filter: one reading after the fall is
 * exactly what a spike filter takes away), or null. A fall counts where it happens within the last
 * max(4, 5 %) readings, between two readings (or over two: a release caught mid-way), by more than
 * 8 σ and 0.5 MB and at least half the range of the readings before it; where those readings (at least
 * `minSamples`) rise on a line beyond the noise, gradually (no jump up of half the fall: a checkpoint's
 * buffer coming and going is an excursion), with no earlier fall of half its size (an earlier cycle),
 * and the fall lands well below that line (not back on it, as an excursion's end does).
 */
export function fallAtEnd(t: ArrayLike<number>, y: ArrayLike<number>, noise: number, minSamples: number): EndFall | null {
  const n = t.length;
  const tail = Math.max(4, Math.ceil(0.05 * n));
  let at = -1, drop = 0, top = -1; // top: where the build-up ends (exclusive)
  for (let i = Math.max(1, n - tail); i < n; i++) {
    const one = y[i - 1]! - y[i]!;
    // a release caught mid-way: the reading between fell by a quarter of the whole or more, each way
    const two = i >= 2 ? y[i - 2]! - y[i]! : 0;
    const mid = two > 0 && y[i - 2]! - y[i - 1]! > 0.25 * two && y[i - 1]! - y[i]! > 0.25 * two;
    if (one > drop) (drop = one), (at = i), (top = i);
    if (mid && two > drop) (drop = two), (at = i), (top = i - 1);
  }
  if (at < minSamples || !(drop > Math.max(8 * noise, 0.5))) return null;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < top; i++) (lo = Math.min(lo, y[i]!)), (hi = Math.max(hi, y[i]!));
  if (drop < 0.5 * (hi - lo)) return null;
  for (let i = 1; i < top; i++) if (Math.abs(y[i]! - y[i - 1]!) > 0.5 * drop) return null;
  const b = line(t, y, 0, top);
  const rise = b.slope * (t[top - 1]! - t[0]!);
  if (!(b.slope > 0) || rise < 0.5 * drop || rise <= Math.max(6 * noise, 4 * b.off, 0.5)) return null;
  // …and the fall takes memory below the build-up's line by half the fall or more: a checkpoint's buffer
  // touched over 2–3 readings and freed in the last ones lands back on the leak's line (an excursion)
  if (b.intercept + b.slope * t[at]! - y[at]! < 0.5 * drop) return null;
  const after = n - at;
  const buildUpRate = b.slope * 60;
  const dt = (t[n - 1]! - t[0]!) / (n - 1);
  // What the readings since the fall show, against what a build-up resumed at the same rate would have
  // lifted them by (E) and what their own line rose by (O); O's standard error is that of a line's rise
  // over `after` readings of σ noise — σ how far the build-up's readings sit off its line where that is
  // less than the reading-to-reading noise (which on a steep ramp read in coarse steps floors at a
  // step's quantum: 2.8 MB for 11 MB steps).
  const sigma = Math.max(Math.min(noise, b.off), 0.05);
  const span = t[n - 1]! - t[at]!;
  const E = b.slope * span;
  const a = after >= 2 ? line(t, y, at, n) : null;
  const O = a ? a.slope * span : 0;
  const se = after >= 2 ? sigma * Math.sqrt((12 * (after - 1)) / (after * (after + 1))) : Infinity;
  let reading: EndFallReading = 'undecided';
  if (a && O >= 0.5 * E && O > 3 * se) reading = 'rises-again';
  else if (a && O < 0.5 * E && E - O > 4 * se) reading = 'held';
  // until a resumed build-up would stand 4 standard errors clear of flat (at least one more reading)
  const need_s = reading === 'undecided' ? Math.max(dt, (4 * sigma * 1.2) / b.slope - span, (3 - after) * dt) : 0;
  return { at, drop, after, reading, buildUpRate, need_s };
}
