// Sparklines as inline SVG: a series' shape in a table cell, no script and no chart library needed.

/** A tiny inline SVG line of values across snapshots (no script needed). */
export function sparklineSvg(xs: number[], w = 120, ht = 24, minRange = 0): string {
  if (xs.length === 0) return '';
  let lo = Math.min(...xs), hi = Math.max(...xs);
  // A flat series drawn across its whole height would make noise look like a signal.
  if (hi - lo < minRange) {
    const mid = (hi + lo) / 2;
    (lo = mid - minRange / 2), (hi = mid + minRange / 2);
  }
  const pts = xs.map((x, i) => {
    const px = xs.length === 1 ? w / 2 : (i / (xs.length - 1)) * (w - 4) + 2;
    const py = hi === lo ? ht / 2 : ht - 2 - ((x - lo) / (hi - lo)) * (ht - 4);
    return `${px.toFixed(1)},${py.toFixed(1)}`;
  });
  const last = pts[pts.length - 1]!.split(',');
  return `<svg class="spark" width="${w}" height="${ht}" viewBox="0 0 ${w} ${ht}" role="img" aria-label="${xs.join(', ')}"><polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="${pts.join(' ')}"/><circle cx="${last[0]}" cy="${last[1]}" r="2" fill="#2563eb"/></svg>`;
}
