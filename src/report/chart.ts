// asciichart plots one value per column, so long series are reduced to the terminal's width first.
import asciichart from 'asciichart';
import { timeAxis } from './time-chart.js';

export interface ChartSeries {
  t_s: ArrayLike<number>;
  mb: ArrayLike<number>;
  color?: string;
}

/**
 * Resample series onto `width` columns spanning the same time range. Each column shows the sample
 * nearest its centre, which keeps a sawtooth visible instead of averaging it away.
 */
export function resample(s: ChartSeries, start: number, end: number, width: number): number[] {
  const out: number[] = [];
  const n = s.t_s.length;
  if (n === 0) return out;
  let j = 0;
  for (let c = 0; c < width; c++) {
    const t = start + ((c + 0.5) / width) * (end - start);
    while (j + 1 < n && Math.abs(s.t_s[j + 1]! - t) <= Math.abs(s.t_s[j]! - t)) j++;
    out.push(s.mb[j]!);
  }
  return out;
}

/**
 * Plot series (MB against time) as an ASCII chart `width` columns wide, `height` rows high; with `timeAxis`,
 * elapsed-time ticks and labels under it (the live view: a chart without them cannot say when it grew).
 */
export function plotSeries(series: ChartSeries[], opts: { width: number; height: number; color?: boolean; timeAxis?: boolean }): string {
  const nonEmpty = series.filter((s) => s.t_s.length > 0);
  if (nonEmpty.length === 0) return '';
  let start = Infinity;
  let end = -Infinity;
  for (const s of nonEmpty) {
    start = Math.min(start, s.t_s[0]!);
    end = Math.max(end, s.t_s[s.t_s.length - 1]!);
  }
  const width = Math.max(10, Math.min(opts.width, Math.max(...nonEmpty.map((s) => s.t_s.length))));
  const data = nonEmpty.map((s) => resample(s, start, end, width));
  let min = Infinity;
  let max = -Infinity;
  for (const d of data) for (const v of d) (min = Math.min(min, v)), (max = Math.max(max, v));
  // A flat line would make asciichart draw a single row; give it a little room.
  if (max - min < 1e-6) (min -= 0.5), (max += 0.5);
  const labelWidth = Math.max(String(Math.round(max)).length, String(Math.round(min)).length) + 5;
  const chart = asciichart.plot(data, {
    height: opts.height,
    min,
    max,
    colors: opts.color ? nonEmpty.map((s) => s.color ?? asciichart.default) : undefined,
    format: (x: number) => `${x.toFixed(max - min < 10 ? 1 : 0)} MB`.padStart(labelWidth),
  });
  return opts.timeAxis ? [chart, ...timeAxis(start, end, width, labelWidth)].join('\n') : chart;
}

export const chartColors = { series: asciichart.default, baseline: asciichart.yellow, tree: asciichart.cyan };
