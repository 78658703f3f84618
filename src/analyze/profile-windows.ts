// A profile taken while tracking (leak-track --explain) pauses its target and inflates its memory: a
// heap snapshot grows a Node process by tens of MB for a while, a census allocates inside Python. The
// fit must not see that, or the profile would change the verdict it was started to explain. So the
// samples inside a window (and one settling interval after it) are left out, and a level step that
// outlasts the window is modelled: one slope shared by the pieces between windows, each piece with its
// own intercept (the within-segments estimator of a common trend), later pieces shifted onto the first
// piece's line. Growth across a window is then what the shared slope says, never the profile's jump.
// Memory a capture allocated and freed stays with the process's allocator (a heap snapshot's tens of
// MB, measured): a leak then refills that slack before the resident size grows again, and the series
// runs flat above its trend for a while. So a window lasts until the series is back on the line of the
// piece before it (or to the end, if it never gets back and is not growing again: a step it left for
// good is modelled instead): that flat stretch is the profile's too.

/** A window on the series' time axis, seconds. */
export interface SeriesWindow {
  start_s: number;
  end_s: number;
}

export interface WindowedSeries {
  t_s: number[];
  mb: number[];
  /** Samples left out (inside windows, or in pieces too short to place). */
  left_out: number;
}

/** Fewer points than this between two windows cannot place their piece: it is left out. */
const MIN_PIECE = 3;

/**
 * The series the fit should see. `settle_s` extends every window (memory freed after a capture settles
 * within about one sampling interval). Without windows, or without samples after them, the series is
 * returned as it is (minus the window's samples).
 */
export function leaveOutWindows(t_s: readonly number[], mb: readonly number[], windows: readonly SeriesWindow[], settle_s = 0): WindowedSeries {
  if (windows.length === 0) return { t_s: [...t_s], mb: [...mb], left_out: 0 };
  const ws = untilBackOnTrend(t_s, mb, [...windows].sort((a, b) => a.start_s - b.start_s).map((w) => ({ start: w.start_s, end: w.end_s + settle_s })));
  // piece k: the samples after k windows have ended and before the next starts
  const pieces: { t: number[]; y: number[] }[] = Array.from({ length: ws.length + 1 }, () => ({ t: [], y: [] }));
  let left = 0;
  for (let i = 0; i < t_s.length; i++) {
    const t = t_s[i]!;
    if (ws.some((w) => t >= w.start && t <= w.end)) {
      left++;
      continue;
    }
    let k = 0;
    while (k < ws.length && t > ws[k]!.end) k++;
    pieces[k]!.t.push(t);
    pieces[k]!.y.push(mb[i]!);
  }
  const placed = pieces.filter((p) => p.t.length >= MIN_PIECE);
  for (const p of pieces) if (p.t.length > 0 && p.t.length < MIN_PIECE) left += p.t.length;
  if (placed.length <= 1) {
    const only = placed[0] ?? { t: [], y: [] };
    return { t_s: only.t, mb: only.y, left_out: left };
  }
  // The shared slope: the median of the slopes between pairs of points of one piece (Theil–Sen pooled
  // over the pieces), each piece's intercept the median of y − slope·t: robust to a warm-up ramp
  // (importing torch adds 100 MB in 3 s) and to the burst with which a paused job catches up.
  const slope = median(placed.flatMap((p) => pairSlopes(p.t, p.y)));
  const intercept = placed.map((p) => median(p.t.map((t, i) => p.y[i]! - slope * t)));
  const out: WindowedSeries = { t_s: [], mb: [], left_out: left };
  placed.forEach((p, k) => {
    const shift = intercept[k]! - intercept[0]!;
    for (let i = 0; i < p.t.length; i++) {
      out.t_s.push(p.t[i]!);
      out.mb.push(p.y[i]! - shift);
    }
  });
  return out;
}

/**
 * Extend each window until the first sample after it that is back on (or below) the line fitted to the
 * samples between the previous window and this one; Infinity when none is. Pieces too short for a line
 * keep the window as it is.
 */
function untilBackOnTrend(t_s: readonly number[], mb: readonly number[], ws: { start: number; end: number }[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let prevEnd = -Infinity;
  for (const w of ws) {
    const it = { start: w.start, end: Math.max(w.end, prevEnd) };
    const t: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < t_s.length; i++) {
      if (t_s[i]! > prevEnd && t_s[i]! < it.start) {
        t.push(t_s[i]!);
        y.push(mb[i]!);
      }
    }
    if (t.length >= 2 * MIN_PIECE) {
      const line = fitLine(t, y);
      const tol = 2 * line.noise + 0.2;
      let back = Infinity;
      for (let i = 0; i < t_s.length; i++) {
        if (t_s[i]! <= it.end) continue;
        if (mb[i]! <= line.at(t_s[i]!) + tol) {
          back = t_s[i]!;
          break;
        }
      }
      if (back === Infinity && !stepAfter(t_s, mb, it.end, ws[ws.indexOf(w) + 1]?.start ?? Infinity, line.slope)) it.end = Infinity;
      else if (back !== Infinity) it.end = Math.max(it.end, back - 1e-9);
    }
    out.push(it);
    prevEnd = it.end;
  }
  return out;
}

/**
 * Never back on the trend, yet growing again right after the window at (at least half) the rate before
 * it: a level step the profile left for good (memory it kept), which the shared-slope model takes out.
 * Flat after the window instead: slack still being refilled, left out.
 */
function stepAfter(t_s: readonly number[], mb: readonly number[], from: number, to: number, slopeBefore: number): boolean {
  const t: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < t_s.length; i++) {
    if (t_s[i]! > from && t_s[i]! < to) {
      t.push(t_s[i]!);
      y.push(mb[i]!);
    }
  }
  if (t.length < 2 * MIN_PIECE || !(slopeBefore > 0)) return false;
  const half = Math.ceil(t.length / 2);
  return [fitLine(t, y), fitLine(t.slice(0, half), y.slice(0, half))].every((l) => l.slope >= 0.5 * slopeBefore);
}

/** A Theil–Sen line with the median absolute residual (scaled to σ) as its noise. */
function fitLine(t: number[], y: number[]): { at: (x: number) => number; noise: number; slope: number } {
  const b = median(pairSlopes(t, y));
  const a = median(t.map((x, i) => y[i]! - b * x));
  const at = (x: number) => a + b * x;
  return { at, noise: 1.4826 * median(t.map((x, i) => Math.abs(y[i]! - at(x)))), slope: b };
}

/** Slopes between pairs of points (at most ~300 points, evenly thinned, so the cost stays bounded). */
function pairSlopes(t: number[], y: number[]): number[] {
  const step = Math.max(1, Math.ceil(t.length / 300));
  const out: number[] = [];
  for (let i = 0; i < t.length; i += step) {
    for (let j = i + step; j < t.length; j += step) {
      const dt = t[j]! - t[i]!;
      if (dt > 0) out.push((y[j]! - y[i]!) / dt);
    }
  }
  return out;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
