// Per-pixel downsampling for charts: each bucket keeps its lowest and highest sample (in time order),
// so a day of 1 s samples becomes ~2 × width points and every spike and trough is still drawn.

export interface XY {
  x: number[];
  y: number[];
}

/** Min/max per bucket over `buckets` equal time slices; series shorter than 2 × buckets pass through. */
export function downsampleMinMax(t: ArrayLike<number>, v: ArrayLike<number>, buckets: number): XY {
  const n = t.length;
  if (n <= 2 * buckets || n < 3) return { x: Array.from(t), y: Array.from(v) };
  const t0 = t[0]!, span = t[n - 1]! - t0 || 1;
  const x: number[] = [];
  const y: number[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < n; b++) {
    const end = t0 + ((b + 1) / buckets) * span;
    let lo = i, hi = i;
    while (i < n && (t[i]! <= end || b === buckets - 1)) {
      if (v[i]! < v[lo]!) lo = i;
      if (v[i]! > v[hi]!) hi = i;
      i++;
    }
    const [a, c] = lo <= hi ? [lo, hi] : [hi, lo];
    x.push(t[a]!), y.push(v[a]!);
    if (c !== a) x.push(t[c]!), y.push(v[c]!);
  }
  return { x, y };
}

/** Every k-th point (and the last) so a smooth line such as a fitted baseline stays under `max` points. */
export function thin(t: ArrayLike<number>, v: ArrayLike<number>, max: number): XY {
  const n = t.length;
  const step = Math.max(1, Math.ceil(n / max));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i += step) x.push(t[i]!), y.push(v[i]!);
  if (n > 0 && (n - 1) % step !== 0) x.push(t[n - 1]!), y.push(v[n - 1]!);
  return { x, y };
}
