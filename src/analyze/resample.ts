// Real traces have jittered timestamps, dropped samples and, over days, millions of points. The
// analysis works on an evenly spaced grid of at most a few thousand points: bin means where the
// series is dense, linear interpolation across gaps.

export interface Grid {
  t: Float64Array; // seconds
  y: Float64Array; // MB
  dt: number;
}

/** Resample onto an even grid of step max(median interval, duration / maxPoints). */
export function toGrid(t: ArrayLike<number>, y: ArrayLike<number>, maxPoints = 4000): Grid {
  const n = t.length;
  const gaps: number[] = [];
  for (let i = 1; i < n; i++) gaps.push(t[i]! - t[i - 1]!);
  gaps.sort((a, b) => a - b);
  const medianGap = gaps.length ? gaps[gaps.length >> 1]! : 1;
  const span = t[n - 1]! - t[0]!;
  const dt = Math.max(medianGap, span / (maxPoints - 1), 1e-9);
  const m = Math.max(2, Math.floor(span / dt) + 1);
  // Bin means of t and y (floor binning: every bin gets a whole share of an even source, so no
  // aliasing), then linear interpolation between bin means onto the even grid.
  const st = new Float64Array(m);
  const sy = new Float64Array(m);
  const cnt = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const k = Math.min(m - 1, Math.floor((t[i]! - t[0]!) / dt));
    st[k]! += t[i]!;
    sy[k]! += y[i]!;
    cnt[k]! += 1;
  }
  const bt: number[] = [];
  const by: number[] = [];
  for (let k = 0; k < m; k++) if (cnt[k]! > 0) bt.push(st[k]! / cnt[k]!), by.push(sy[k]! / cnt[k]!);
  const gt = new Float64Array(m);
  const gy = new Float64Array(m);
  let j = 0;
  for (let k = 0; k < m; k++) {
    const x = t[0]! + k * dt; // on the samples themselves when they are evenly spaced: drops stay sharp
    gt[k] = x;
    while (j + 1 < bt.length && bt[j + 1]! < x) j++;
    if (j + 1 >= bt.length || x <= bt[j]!) gy[k] = by[Math.min(j, by.length - 1)]!;
    else gy[k] = by[j]! + ((by[j + 1]! - by[j]!) * (x - bt[j]!)) / (bt[j + 1]! - bt[j]!);
  }
  return { t: gt, y: gy, dt };
}
