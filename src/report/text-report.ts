// The human report: per process and for the tree total, a chart with the fitted baseline,
// first/last/min/max, the rate with its interval and the verdict in words.
import type { AnalysedRow } from './session-report.js';
import type { SessionReport } from '../types.js';
import { chartColors, plotSeries } from './chart.js';
import { describeCheck, describeVerdict } from './verdict-words.js';
import { formatDuration, formatMb } from '../units.js';
import { describeCopyOnWrite, describeShortLived } from './tree-words.js';

export interface TextOptions {
  width: number;
  color: boolean;
  chartHeight?: number;
  maxRate?: number | null;
}

/** Render a session report as text. */
export function renderSessionText(report: SessionReport, rows: AnalysedRow[], o: TextOptions): string {
  const s = report.session;
  const out: string[] = [];
  const when = s.source === 'trace' ? `trace ${s.label}` : `session ${s.id} (${s.label}), started ${s.started_at}`;
  out.push(`${when}, every ${s.interval_s} s${s.end_reason ? `, ended: ${s.end_reason}` : ''}`);
  for (const row of rows) out.push('', ...renderRow(row, o));
  if (report.short_lived) out.push('', describeShortLived(report.short_lived));
  return out.join('\n') + '\n';
}

function renderRow(row: AnalysedRow, o: TextOptions): string[] {
  const r = row.report;
  const title =
    r.role === 'tree'
      ? `tree total: ${r.name} ${r.pid} and its children [${r.metric}]`
      : `${r.name} ${r.pid} (${r.role}) [${r.metric}]  ${truncate(r.cmdline, Math.max(20, o.width - 40))}`;
  const lines = [title];
  if (row.mb.length >= 2) {
    const series = [{ t_s: row.t_s, mb: row.mb, color: r.role === 'tree' ? chartColors.tree : chartColors.series }];
    const base = row.analysis?.baseline;
    if (base && base.t_s.length > 1) series.push({ t_s: base.t_s, mb: base.mb, color: chartColors.baseline });
    const chart = plotSeries(series, { width: Math.max(20, o.width - 14), height: o.chartHeight ?? 8, color: o.color });
    lines.push(...chart.split('\n').map((l) => `  ${l}`));
    if (base && base.t_s.length > 1) lines.push(`  ${' '.repeat(8)}(${o.color ? 'yellow' : 'second line'}: fitted baseline)`);
  }
  lines.push(
    `  first ${formatMb(r.first_mb)}  last ${formatMb(r.last_mb)}  min ${formatMb(r.min_mb)}  max ${formatMb(r.max_mb)}` +
      `  ${r.samples} samples over ${formatDuration(r.duration_s)}`,
  );
  lines.push(`  ${describeVerdict(r, row.analysis)}`);
  if (row.driver && r.role === 'tree') {
    lines.push(`  driven by ${row.driver.name} ${row.driver.pid} (${row.driver.rate_mb_per_min.toFixed(1)} MB/min)`);
  }
  if (r.copy_on_write) lines.push(...describeCopyOnWrite(r.copy_on_write).map((l) => `  ${l}`));
  if (row.check && o.maxRate) lines.push(`  ${describeCheck(r, row.check, o.maxRate)}`);
  return lines;
}

const truncate = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
