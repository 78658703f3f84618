// What the page's script needs to draw one process: uPlot's aligned columns (x, the series as
// min/max per pixel, the fitted baseline, the rate interval as a band) and how to label them.
import type { ComposedRow } from '../compose-session.js';
import { downsampleMinMax, thin, type XY } from './downsample.js';

/** Chart buckets: ~2 points per pixel of a 1,600 px wide chart. */
export const CHART_BUCKETS = 1600;

export interface ChartData {
  id: number;
  /** Who it is and the command line (legend and tooltip text). */
  label: string;
  cmdline: string;
  metric: string;
  /** Columns for uPlot: [x, series, baseline, bandLow, bandHigh]; null where a column has no value. */
  cols: [number[], (number | null)[], (number | null)[], (number | null)[], (number | null)[]];
  hasBaseline: boolean;
  /** The baseline points are the cycles' troughs (drawn as points). */
  troughs: boolean;
  height: number;
  /** leak-track --explain's profile windows, [start, end] on the x axis: shaded, left out of the fit. */
  windows?: [number, number][];
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/**
 * The band: over the baseline's last straight stretch (where its slope is the reported rate: the
 * steady state after any warm-up), lines through that stretch's middle with the rate interval's two
 * slopes, so it is narrow where the fit is sure and fans out as the slope's uncertainty does.
 */
export function rateBand(base: XY, ci: [number, number] | null, rate: number | null): { lo: (number | null)[]; hi: (number | null)[] } | null {
  const n = base.x.length;
  if (!ci || rate === null || n < 2) return null;
  const tol = Math.max(Math.abs(rate) * 0.15, (ci[1] - ci[0]) / 2, 0.05);
  let from = n - 2;
  while (from > 0) {
    const dt = (base.x[from]! - base.x[from - 1]!) / 60;
    if (dt > 0 && Math.abs((base.y[from]! - base.y[from - 1]!) / dt - rate) > tol) break;
    from--;
  }
  const tm = (base.x[from]! + base.x[n - 1]!) / 2;
  let k = from;
  while (k < n - 1 && base.x[k]! < tm) k++;
  const ym = base.y[k]! - ((base.x[k]! - tm) / 60) * rate;
  const lo: (number | null)[] = [], hi: (number | null)[] = [];
  base.x.forEach((t, i) => {
    if (i < from) return void (lo.push(null), hi.push(null));
    const dt = (t - tm) / 60;
    const a = ym + dt * ci[0], b = ym + dt * ci[1];
    lo.push(r2(Math.min(a, b))), hi.push(r2(Math.max(a, b)));
  });
  return { lo, hi };
}

/** Chart columns for one row; x in seconds since the session's start plus `xOffset` (epoch s for real time). */
export function buildChartData(c: ComposedRow, xOffset: number, buckets = CHART_BUCKETS): ChartData {
  const row = c.row;
  const series = downsampleMinMax(row.t_s, row.mb, buckets);
  const b = row.analysis?.baseline;
  const base = b && b.t_s.length > 1 ? thin(b.t_s, b.mb, buckets) : { x: [], y: [] };
  const band = rateBand(base, row.report.rate_ci95_mb_per_min, row.report.rate_mb_per_min);
  // Union of the two time grids, each column null where its series has no point at that x.
  const at = new Map<number, number>();
  const xs = [...new Set([...series.x, ...base.x])].sort((p, q) => p - q);
  xs.forEach((x, i) => at.set(x, i));
  const col = () => new Array<number | null>(xs.length).fill(null);
  const ys = col(), bs = col(), lo = col(), hi = col();
  series.x.forEach((x, i) => (ys[at.get(x)!] = r2(series.y[i]!)));
  base.x.forEach((x, i) => {
    const k = at.get(x)!;
    bs[k] = r2(base.y[i]!);
    if (band) (lo[k] = band.lo[i] ?? null), (hi[k] = band.hi[i] ?? null);
  });
  return {
    id: c.rank,
    label: c.label,
    cmdline: row.report.cmdline,
    metric: row.report.metric.toUpperCase(),
    cols: [xs.map((x) => Math.round((x + xOffset) * 1000) / 1000), ys, bs, lo, hi],
    hasBaseline: base.x.length > 1,
    troughs: Boolean(row.analysis?.period_s) && base.x.length > 1,
    height: c.oneLine ? 140 : 260,
    ...(row.windows?.length ? { windows: row.windows.map((w) => [Math.round((w.start_s + xOffset) * 1000) / 1000, Math.round((w.end_s + xOffset) * 1000) / 1000] as [number, number]) } : {}),
  };
}
