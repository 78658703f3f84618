// A terminal chart of one memory series against time: the data as solid cells (each column spans the
// min..max of its samples, so a sawtooth stays visible), the fitted baseline in its own glyph (and dim
// when colour is on), MB labels on the left and elapsed-time labels under the axis.
import { formatDuration } from '../units.js';

export interface TimeSeries {
  t_s: ArrayLike<number>;
  mb: ArrayLike<number>;
}

export interface TimeChartOptions {
  /** Total width in columns, labels included. */
  width: number;
  height: number;
  color?: boolean;
  /** Spans to mark under the plot (leak-track --explain's profile windows), on the series' time axis. */
  marks?: readonly { start_s: number; end_s: number }[];
}

/** Glyphs: never the same for data and baseline, so the baseline reads without colour. */
export const GLYPH = { data: '█', baseline: '·', mark: '^' } as const;

const DIM = '\x1b[2m\x1b[33m';
const RESET = '\x1b[0m';

/** Per column, the lowest and highest value the series takes there (interpolated across gaps). */
export function columnRanges(s: TimeSeries, start: number, end: number, cols: number): ([number, number] | null)[] {
  const out: ([number, number] | null)[] = new Array(cols).fill(null);
  const n = s.t_s.length;
  if (n === 0) return out;
  const span = end - start || 1;
  const at = (t: number, j: number): number => {
    // Value at time t, with j the index of the last sample ≤ t (or -1).
    if (j < 0) return s.mb[0]!;
    if (j >= n - 1) return s.mb[n - 1]!;
    const t0 = s.t_s[j]!, t1 = s.t_s[j + 1]!;
    return t1 > t0 ? s.mb[j]! + ((t - t0) / (t1 - t0)) * (s.mb[j + 1]! - s.mb[j]!) : s.mb[j + 1]!;
  };
  let j = -1;
  for (let c = 0; c < cols; c++) {
    const left = start + (c / cols) * span;
    const right = start + ((c + 1) / cols) * span;
    if (left > s.t_s[n - 1]! || right < s.t_s[0]!) continue;
    while (j + 1 < n && s.t_s[j + 1]! <= left) j++;
    let lo = at(Math.max(left, s.t_s[0]!), j);
    let hi = lo;
    while (j + 1 < n && s.t_s[j + 1]! < right) {
      j++;
      const v = s.mb[j]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const v = at(Math.min(right, s.t_s[n - 1]!), j);
    out[c] = [Math.min(lo, v), Math.max(hi, v)];
  }
  return out;
}

/** Draw the chart; returns lines without a trailing newline. Empty when there is nothing to draw. */
export function drawTimeChart(data: TimeSeries, baseline: TimeSeries | null, o: TimeChartOptions): string[] {
  const n = data.t_s.length;
  if (n < 2) return [];
  const start = data.t_s[0]!, end = data.t_s[n - 1]!;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) (lo = Math.min(lo, data.mb[i]!)), (hi = Math.max(hi, data.mb[i]!));
  if (baseline) for (let i = 0; i < baseline.mb.length; i++) (lo = Math.min(lo, baseline.mb[i]!)), (hi = Math.max(hi, baseline.mb[i]!));
  if (hi - lo < 1e-6) (lo -= 0.5), (hi += 0.5);
  const digits = hi - lo < 10 ? 1 : 0;
  const fmt = (v: number) => `${v.toFixed(digits)} MB`;
  const labelW = Math.max(fmt(hi).length, fmt(lo).length);
  const cols = Math.max(10, o.width - labelW - 2);
  const height = Math.max(3, o.height);
  const rowOf = (v: number) => Math.round(((hi - v) / (hi - lo)) * (height - 1));
  const grid: string[][] = Array.from({ length: height }, () => new Array<string>(cols).fill(' '));
  const dataCols = columnRanges(data, start, end, cols);
  dataCols.forEach((r, c) => {
    if (!r) return;
    for (let y = rowOf(r[1]); y <= rowOf(r[0]); y++) grid[y]![c] = GLYPH.data;
  });
  if (baseline && baseline.t_s.length > 1) {
    columnRanges(baseline, start, end, cols).forEach((r, c) => {
      if (!r) return;
      const y = rowOf((r[0] + r[1]) / 2);
      if (grid[y]![c] === ' ') grid[y]![c] = o.color ? `${DIM}${GLYPH.baseline}${RESET}` : GLYPH.baseline;
    });
  }
  const lines = grid.map((row, y) => {
    const v = hi - (y / (height - 1)) * (hi - lo);
    return `${fmt(v).padStart(labelW)} ┤${row.join('')}`;
  });
  if (o.marks?.length) lines.push(markRow(o.marks, start, end, cols, labelW));
  lines.push(...timeAxis(start, end, cols, labelW));
  return lines;
}

/** A row under the plot with GLYPH.mark in every column a marked span touches. */
function markRow(marks: readonly { start_s: number; end_s: number }[], start: number, end: number, cols: number, labelW: number): string {
  const row = new Array<string>(cols).fill(' ');
  const span = end - start || 1;
  for (const m of marks) {
    if (m.end_s < start || m.start_s > end) continue;
    const a = Math.max(0, Math.floor(((m.start_s - start) / span) * cols));
    const b = Math.min(cols - 1, Math.floor(((m.end_s - start) / span) * cols));
    for (let c = a; c <= b; c++) row[c] = GLYPH.mark;
  }
  return `${' '.repeat(labelW)} ┆${row.join('')}`.trimEnd();
}

// Round steps for time ticks (seconds): labels read 0s, 5m00s, 10m00s rather than 5m03s.
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** "└───┬───" with ticks at round elapsed times, and their labels under them where they fit. */
export function timeAxis(start: number, end: number, cols: number, labelW: number): string[] {
  const axis = new Array<string>(cols).fill('─');
  const labels = new Array<string>(cols).fill(' ');
  const span = Math.max(end - start, 1e-9);
  const perCol = span / cols;
  const widest = formatDuration(end).length + 2;
  const step = STEPS.find((s) => s / perCol >= Math.max(widest, 10)) ?? Math.ceil(span / 4);
  let lastEnd = -2;
  const place = (t: number, c: number) => {
    const text = formatDuration(t);
    const at = Math.min(cols - text.length, Math.max(0, c - Math.floor(text.length / 2)));
    if (at <= lastEnd + 1) return;
    axis[c] = '┬';
    for (let k = 0; k < text.length; k++) labels[at + k] = text[k]!;
    lastEnd = at + text.length;
  };
  for (let t = Math.ceil(start / step) * step; t <= end + 1e-9; t += step) place(t, Math.min(cols - 1, Math.round((t - start) / perCol)));
  const pad = ' '.repeat(labelW + 1);
  return [`${pad}└${axis.join('')}`, `${pad} ${labels.join('').trimEnd()}`];
}
