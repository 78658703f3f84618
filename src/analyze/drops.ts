// A sawtooth found where memory was actually read. The cycle search in cycles.ts works on an even
// grid (autocorrelation needs one); a series read unevenly and sparsely does not survive that: the
// tracker's cost governor reads USS only every k-th tick under load (k = 1, 2, 3 changing during a
// run), so a 4 s cycler read at 0.25 s has 4–16 reads per cycle at irregular times, the grid's
// interpolation smears each release over two grid steps, and the autocorrelation of 24 s misses the
// period or finds twice it. The releases themselves are plain on the reads: a fall, between two
// consecutive readings, of half the cycle's size or more, at regular intervals.
import { halfSpanSlope, median } from './stats.js';

/**
 * Indices of the first reading after each sharp fall (more than half the detrended 5–95 % range):
 * where each cycle of a sawtooth starts. A release caught mid-way (one reading between peak and
 * trough) is cut at the trough.
 */
export function releaseCuts(t: ArrayLike<number>, y: ArrayLike<number>): { cuts: number[]; amp: number } {
  const n = t.length;
  // The cycle's size on the detrended series: a leak's rise over hours must not make the drops
  // look small (1 GB drops under 5 GB of growth are still every cycle's release).
  const slope = halfSpanSlope(t, y);
  const d = Float64Array.from({ length: n }, (_, i) => y[i]! - slope * t[i]!).sort();
  const amp = d[Math.floor(n * 0.95)]! - d[Math.floor(n * 0.05)]!;
  const cuts: number[] = [];
  for (let i = 1; i < n; i++) {
    if (y[i]! - y[i - 1]! < -0.5 * amp) cuts.push(i);
    else if (i + 1 < n && y[i]! < y[i - 1]! && y[i + 1]! < y[i]! && y[i + 1]! - y[i - 1]! < -0.5 * amp) cuts.push(++i);
  }
  return { cuts, amp };
}

/**
 * The period (s) of a sawtooth seen on the readings themselves, or null: at least 4 releases (3 whole
 * cycles), each a fall of more than 4 σ of the reading-to-reading noise, at intervals within ±50 % of
 * their median, memory built up again gradually between them, and the cycles covering the window
 * (no stretch without a release longer than 1.5 periods at either end).
 */
export function periodAtReads(t: ArrayLike<number>, y: ArrayLike<number>, noise: number): number | null {
  const s = sawtoothAtReads(t, y, noise);
  return s !== null && s.releases >= 4 ? s.period : null;
}

/**
 * A sawtooth on the readings with 2 or more releases (the checks of periodAtReads, bar the count):
 * its number of releases and their median interval. With 2 or 3 (a run of 1–2 whole cycles: 20 s of
 * an 8 s cycle read every 2 s) the troughs cannot be judged yet, and a line through the readings is
 * nonsense: 10 readings of a flat 200 MB cycler read "growing 596 MB/min" that way.
 */
export function sawtoothAtReads(t: ArrayLike<number>, y: ArrayLike<number>, noise: number): { releases: number; period: number } | null {
  const n = t.length;
  if (n < 10) return null;
  const found = releaseCuts(t, y);
  // Fewer than 4 releases (1–2 whole cycles): the trend removed before measuring the falls is the
  // cycle's own (over 2 cycles, readings half the window apart rise by a cycle's part), and it hides
  // releases. There each release must give back most of what the readings span, raw (3/4 of their
  // 5–95 % range): wandering noise (AR(1), φ 0.9) makes a pair of half-range falls now and then, never
  // a pair of these.
  // (4 or more such falls where the trend hid them are left to the cycle search, as before.)
  const { cuts, amp } = found.cuts.length >= 4 ? found : bigFalls(y);
  if (cuts.length < 2 || (cuts !== found.cuts && cuts.length >= 4) || !(amp > 0)) return null;
  for (const c of cuts) if (y[c - 1]! - y[c]! <= 4 * noise && (c < 2 || y[c - 2]! - y[c]! <= 4 * noise)) return null;
  const gaps = cuts.slice(1).map((c, k) => t[c]! - t[cuts[k]!]!);
  const period = median(gaps);
  if (!(period > 0) || gaps.some((g) => g < 0.5 * period || g > 1.5 * period)) return null;
  if (t[cuts[0]!]! - t[0]! > 1.5 * period || t[n - 1]! - t[cuts[cuts.length - 1]!]! > 1.5 * period) return null;
  // Each cycle builds up again (by half the cycle's size), and gradually: its mean over time sits
  // between trough and peak, not at the peak (a dip of one reading: pages briefly shared with a forked
  // child) nor at the trough (a short spike before each drop: a checkpoint's buffer).
  const where: number[] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k]!, b = cuts[k + 1]!;
    let hi = -Infinity, area = 0;
    for (let i = a; i < b; i++) {
      hi = Math.max(hi, y[i]!);
      if (i + 1 < b) area += ((y[i]! + y[i + 1]!) / 2) * (t[i + 1]! - t[i]!);
    }
    const rise = hi - y[a]!;
    if (rise < 0.5 * amp || b - a < 2 || t[b - 1]! <= t[a]!) return null;
    where.push((area / (t[b - 1]! - t[a]!) - y[a]!) / rise);
  }
  const mid = median(where);
  if (mid < 0.25 || mid > 0.75) return null;
  return { releases: cuts.length, period };
}

/** Falls (over one reading, or two: a release caught mid-way) of 3/4 of the readings' raw 5–95 % range. */
function bigFalls(y: ArrayLike<number>): { cuts: number[]; amp: number } {
  const n = y.length;
  const r = Float64Array.from(y as ArrayLike<number>).sort();
  const amp = r[Math.floor(n * 0.95)]! - r[Math.floor(n * 0.05)]!;
  const cuts: number[] = [];
  for (let i = 1; i < n; i++) {
    if (y[i - 1]! - y[i]! >= 0.75 * amp) cuts.push(i);
    else if (i + 1 < n && y[i]! < y[i - 1]! && y[i + 1]! < y[i]! && y[i - 1]! - y[i + 1]! >= 0.75 * amp) cuts.push(++i);
  }
  return { cuts, amp };
}
