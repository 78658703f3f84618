// Memory that is given back once, not every cycle: a start-up buffer freed before the steady state,
// an eval phase or the end of a run releasing what was built up, and short excursions above the
// baseline (a checkpoint: +2 GB for 20 s every 10 min). None of them says anything about the
// steady-state rate, and a whole-window fit (or a cycle search) through them says the wrong thing.
import { halfSpanSlope, mad, median } from './stats.js';

/**
 * Indices where a GC-like release happens: the level (median of 3, fewer at the end) falls by more
 * than 8 σ, after having been built up by at least half as much, and by more than 2.5 × how far the
 * level wanders around a straight line (correlated noise also drifts by many σ of jitter).
 */
export function findReleases(t: ArrayLike<number>, y: ArrayLike<number>, noise: number): number[] {
  const n = y.length;
  const slope = halfSpanSlope(t, y);
  const resid = new Float64Array(n);
  for (let i = 0; i < n; i++) resid[i] = y[i]! - slope * t[i]!;
  const levelSd = 1.4826 * mad(resid);
  const lev = (i: number) => {
    if (i + 2 < n) {
      const a = y[i]!, b = y[i + 1]!, c = y[i + 2]!;
      return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
    return i + 1 < n ? (y[i]! + y[i + 1]!) / 2 : y[i]!;
  };
  const out: number[] = [];
  let lo = Infinity;
  for (let i = 3; i < n; i++) {
    const before = lev(i - 3);
    lo = Math.min(lo, before);
    const drop = before - lev(i);
    // the level right before must itself be high (the fall happens at i, not a sample or two later)
    if (drop > 8 * noise && drop > 2.5 * levelSd && before - lo > 0.5 * drop && y[i - 1]! - y[i]! > 0.5 * drop) {
      out.push(i);
      lo = Infinity;
    }
  }
  return out;
}

/** The part of a window to judge instead of the whole, and why. */
export interface LoneRelease {
  /** The window to analyse instead: [from, to). */
  from: number;
  to: number;
  /** Words for the explanation. */
  note: string;
}

/**
 * A release the steady state can be read around: all releases in the last few samples (the end of
 * a run, an eval phase) → the part before; all in the first third, with at least half the window
 * after → the part after (start-up). Null when the releases are spread out (a cycle not yet seen
 * twice): then the data cannot tell.
 */
export function aroundLoneRelease(t: ArrayLike<number>, y: ArrayLike<number>, releases: number[], minSamples: number): LoneRelease | null {
  const n = t.length;
  if (!releases.length) return null;
  const t0 = t[0]!, span = t[n - 1]! - t0;
  const first = releases[0]!, last = releases[releases.length - 1]!;
  const freed = (i: number) => Math.max(0, y[i - 1]! - y[i]!);
  const tail = Math.max(4, Math.ceil(0.05 * n));
  if (first >= n - tail && first >= minSamples && t[first - 1]! - t0 >= 0.8 * span) {
    return { from: 0, to: first, note: `${freed(first).toFixed(0)} MB released in the last ${n - first} sample${n - first === 1 ? '' : 's'} (the end of the run, or an eval phase) is left out` };
  }
  if (t[last]! - t0 <= span / 3 && n - last >= minSamples && t[n - 1]! - t[last]! >= 0.5 * span) {
    return { from: last, to: n, note: `after ${releases.length === 1 ? 'a release' : `${releases.length} releases`} of ${freed(last).toFixed(0)} MB at ~${Math.round(t[last]! - t0)} s (start-up)` };
  }
  return null;
}

/** The series with its excursions bridged, and what was left out. */
export interface Excursions {
  y: Float64Array;
  /** Samples from here on are an excursion the recording ended in: analyse [0, end). */
  end: number;
  count: number;
  /** Median height (MB) and width (s) of the excursions removed. */
  height: number;
  width: number;
}

/**
 * Short excursions off the baseline: a sharp rise (or fall), a plateau, and a sharp return to where
 * the baseline would be, lasting at most 1/8 of the window each and 15 % of it together (a square-wave
 * cycle with a high duty is a cycle, not an excursion). They are replaced by a straight line
 * between the samples around them.
 */
export function removeExcursions(t: ArrayLike<number>, y: ArrayLike<number>, noise: number): Excursions {
  const n = t.length;
  const out = Float64Array.from(y as ArrayLike<number>);
  const span = t[n - 1]! - t[0]!;
  // Large next to the jitter, and not a quantum of the allocator (2 % of the level): memory read
  // in 1 MB chunks jitters by whole chunks, with a robust σ near 0.
  const jump = Math.max(10 * noise, 0.5, 0.02 * Math.abs(median(Array.from(y as ArrayLike<number>))));
  // Steps are measured against the trend (a steep leak sampled every 7 s rises 7 MB a sample).
  const slope = halfSpanSlope(t, y);
  const z = (i: number) => y[i]! - slope * t[i]!;
  const found: { a: number; b: number; h: number }[] = [];
  // Up (a checkpoint's buffer) and down (private pages briefly shared with a short-lived child: USS
  // dips and comes back). Each lasts at most 1/8 of the window.
  for (const sign of [1, -1]) {
    for (let i = 1; i < n - 1; i++) {
      const h = sign * (z(i) - z(i - 1));
      if (h <= jump || found.some((e) => i >= e.a && i <= e.b)) continue;
      // the excursion ends at the first sharp return that brings the level back near y[i-1]
      for (let j = i + 1; j < n && t[j]! - t[i]! <= span / 8; j++) {
        const back = sign * (z(j - 1) - z(j));
        const above = sign * (z(j - 1) - z(i - 1));
        if (above < 0.5 * h || above > 2 * h) break; // came back gradually, or kept climbing: not a plateau
        if (back > 0.5 * h && Math.abs(z(j) - z(i - 1)) < 0.25 * h) {
          found.push({ a: i, b: j, h: sign * h });
          i = j;
          break;
        }
      }
    }
  }
  // A transient built up over a few readings and dropped at once, back where it left (a big buffer
  // touched while the box is loaded: 130 MB took 12 s): the same excursion, its rise slowed down. The
  // return must be whole (the reading after it falls no further) and the level before the rise the one
  // it came back to; a sawtooth of short teeth is all excursions, over 15 % of the samples, and none
  // is removed.
  for (let j = 2; j < n; j++) {
    const fall = Math.max(z(j - 1), z(j - 2)) - z(j);
    if (fall <= jump || (j + 1 < n && z(j + 1) < z(j) - 0.25 * fall)) continue;
    let s = j - 1;
    while (s > 0 && t[j]! - t[s]! <= span / 8 && z(s) - z(j) > 0.25 * fall) s--;
    // the first reading of the rise may sit under a quarter of it (+66 of a +400 MB buffer touched over
    // four readings): the level it came from is before every sharp step of the rise
    while (s > 0 && t[j]! - t[s - 1]! <= span / 8 && z(s) - z(s - 1) > jump) s--;
    if (s >= j - 1 || t[j]! - t[s]! > span / 8 || Math.abs(z(s) - z(j)) > 0.25 * fall) continue;
    // …and that level held before it (3 readings within the noise): a rise from the first readings is a
    // start-up, released once (aroundLoneRelease), not an excursion
    if (s < 2 || Math.abs(z(s) - z(s - 2)) > Math.max(4 * noise, 0.5)) continue;
    // …and the only such drop: where memory falls by half as much elsewhere too, it cycles (a
    // sawtooth's teeth are not excursions, even where one of them happens to look like one)
    let others = false;
    for (let i = 1; i < n && !others; i++) if ((i <= s || i > j) && z(i - 1) - z(i) >= 0.5 * fall) others = true;
    if (others) continue;
    if (found.some((e) => e.a <= j && s + 1 <= e.b)) continue;
    let h = 0;
    for (let i = s + 1; i < j; i++) h = Math.max(h, z(i) - z(s));
    found.push({ a: s + 1, b: j, h });
  }
  // an excursion the recording ended in: a rise in the last 1/20, sharp or over a few readings, of
  // more than the jump, never back below where it began and not come down by the last reading; a
  // gradual one must also reach above every reading before it (a sawtooth's last tooth does not)
  let end = n;
  let tail = n - 1;
  while (tail > 1 && t[n - 1]! - t[tail - 1]! <= span / 20) tail--;
  // …and at least the last three readings: in 40 readings 1/20 is two, and a transient caught on the
  // last three (a 120 MB/min leaker tracked at 0.5 s, +4.5 MB for its last 1.5 s) read as the leak
  // speeding up to 217 MB/min
  tail = Math.max(1, Math.min(tail, n - 3));
  let before = -Infinity;
  for (let i = 0; i < tail; i++) before = Math.max(before, y[i]!);
  for (let i = tail; i < n; i++) {
    if (z(i) - z(i - 1) <= 0 || found.some((e) => e.b > i)) continue;
    let peak = -Infinity;
    for (let j = i; j < n; j++) peak = Math.max(peak, y[j]!);
    if (z(i) - z(i - 1) <= jump && peak <= before + 4 * noise) continue;
    let top = -Infinity, low = Infinity;
    for (let j = i; j < n; j++) (top = Math.max(top, z(j) - z(i - 1))), (low = Math.min(low, z(j) - z(i - 1)));
    if (top > jump && low > 0 && z(n - 1) - z(i - 1) > 0.5 * top) {
      end = i;
      found.push({ a: i, b: n, h: top });
      break;
    }
  }
  const inside = found.reduce((s, e) => s + (e.b - e.a), 0);
  found.sort((p, q) => p.a - q.a);
  if (!found.length || inside > 0.15 * n || end < n / 2) return { y: out, end: n, count: 0, height: 0, width: 0 };
  for (const { a, b } of found) {
    if (b >= n) continue;
    const ya = y[a - 1]!, yb = y[b]!, ta = t[a - 1]!, tb = t[b]!;
    for (let i = a; i < b; i++) out[i] = ya + ((yb - ya) * (t[i]! - ta)) / (tb - ta);
  }
  return {
    y: out,
    end,
    count: found.length,
    height: median(found.map((e) => e.h)),
    width: median(found.map((e) => t[Math.min(e.b, n - 1)]! - t[e.a]!)),
  };
}
