// The human report, laid out from the composed session: the verdict in words, a worst-first table of
// every process, then a chart with time axis and baseline for each process worth looking at, one line
// for each stable one, and one line for all short-lived children together. Fitted to `width` columns.
import type { ComposedRow, ComposedSession } from './compose-session.js';
import { drawTimeChart, GLYPH } from './time-chart.js';
import { formatDuration, formatMb } from '../units.js';
import { describeCopyOnWrite } from './tree-words.js';
import { explainText } from './explain-text.js';

/** More stable processes than this are not repeated under the table, one summary line says so. */
export const MAX_STABLE_LINES = 5;

export interface TextOptions {
  /** Terminal columns; every line fits in it. */
  width: number;
  color: boolean;
  chartHeight?: number;
}

/** Render a composed session as text. */
export function renderSessionText(s: ComposedSession, o: TextOptions): string {
  const width = Math.max(40, o.width);
  const out: string[] = [];
  out.push(...wrap(s.title, width), ...wrap(s.headline, width), '');
  out.push(...summaryTable(s, width));
  const charted = s.rows.filter((r) => !r.oneLine);
  const oneLiners = s.rows.filter((r) => r.oneLine);
  for (const r of charted) out.push('', ...detail(r, s, width, o));
  if (oneLiners.length) {
    out.push('');
    // One line each, whatever the width; past a handful their table rows say it all, and one line says so.
    const stable = oneLiners.filter((r) => r.row.report.classification === 'stable');
    const listed = stable.length > MAX_STABLE_LINES ? oneLiners.filter((r) => !stable.includes(r)) : oneLiners;
    for (const r of listed) out.push(truncate(`  ${r.label}: ${r.explanation}`, width));
    if (listed.length < oneLiners.length) out.push(truncate(`  ${stable.length} stable processes (flat within noise; one line each in the table above)`, width));
  }
  // Whole, on one line of its own even past the width: cutting it would drop what it says.
  if (s.folded) out.push('', s.folded.text);
  // leak-track --explain: what is inside, last, so the run ends with it.
  if (s.report.explain?.length) out.push('', ...explainText(s.report.explain, width, wrap));
  return `${out.join('\n')}\n`;
}

interface Column {
  head: string;
  cell: (r: ComposedRow) => string;
  /** Higher drops first when the terminal is narrow. */
  drop: number;
  left?: boolean;
}

const rateCell = (r: ComposedRow): string => (r.row.report.rate_mb_per_min === null ? '—' : fix(r.row.report.rate_mb_per_min));
const ciCell = (r: ComposedRow): string => {
  const ci = r.row.report.rate_ci95_mb_per_min;
  return ci ? `(${fix(ci[0])}–${fix(ci[1])})` : '';
};
const fix = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

/** Every process, worst first: class, rate ± CI, first/last/peak, verdict (with --max-rate). */
function summaryTable(s: ComposedSession, width: number): string[] {
  const gated = s.rows.some((r) => r.row.report.verdict !== undefined);
  const cols: Column[] = [
    { head: 'CLASS', cell: (r) => r.row.report.classification ?? 'insufficient-data', drop: 0, left: true },
    { head: 'MB/min', cell: rateCell, drop: 0 },
    { head: '(95 % CI)', cell: ciCell, drop: 2, left: true },
    { head: 'FIRST', cell: (r) => formatMb(r.row.report.first_mb), drop: 5 },
    { head: 'LAST', cell: (r) => formatMb(r.row.report.last_mb), drop: 3 },
    { head: 'PEAK', cell: (r) => formatMb(r.row.report.max_mb), drop: 4 },
  ];
  if (gated) cols.push({ head: 'VERDICT', cell: (r) => (r.row.report.verdict ?? '—').toUpperCase(), drop: 0, left: true });
  const rows = [...s.rows, ...(s.folded?.rows ?? [])];
  // Names keep up to 28 columns before FIRST, PEAK, LAST go (in that order); the interval goes only
  // when even 14-column names would not fit.
  const comfort = Math.min(28, Math.max(14, ...rows.map((r) => r.label.length)));
  let kept = cols;
  const widthOf = (cs: Column[]) => cs.reduce((w, c) => w + 2 + Math.max(c.head.length, ...rows.map((r) => c.cell(r).length)), 0);
  for (;;) {
    const worst = Math.max(...kept.map((c) => c.drop));
    if (worst === 0 || widthOf(kept) + 2 + (worst >= 3 ? comfort : 14) <= width) break;
    kept = kept.filter((c) => c.drop !== worst);
  }
  const colW = kept.map((c) => Math.max(c.head.length, ...rows.map((r) => c.cell(r).length)));
  const nameW = Math.max(10, Math.min(Math.max(7, ...rows.map((r) => r.label.length)), width - 2 - widthOf(kept)));
  const line = (name: string, cells: string[]) =>
    `  ${truncate(name, nameW).padEnd(nameW)}${cells.map((c, i) => `  ${kept[i]!.left ? c.padEnd(colW[i]!) : c.padStart(colW[i]!)}`).join('')}`.trimEnd();
  const out = [line('PROCESS', kept.map((c) => c.head))];
  for (const r of s.rows) out.push(line(r.label, kept.map((c) => c.cell(r))));
  if (s.folded) out.push(`  ${truncate(`+ ${s.folded.count} more children, folded into one line below`, width - 2)}`);
  return out.map((l) => truncate(l, width));
}

function detail(r: ComposedRow, s: ComposedSession, width: number, o: TextOptions): string[] {
  const p = r.row.report;
  const head = p.role === 'tree' ? `${r.label} [${p.metric}]` : `${p.name} ${p.pid} (${p.role}) [${p.metric}]  ${p.cmdline}`;
  const lines = [truncate(head, width)];
  const base = r.row.analysis?.baseline ?? null;
  const marks = r.row.windows ?? [];
  const chart = drawTimeChart({ t_s: r.row.t_s, mb: r.row.mb }, base, { width: width - 2, height: o.chartHeight ?? 8, color: o.color, marks });
  lines.push(...chart.map((l) => `  ${l}`));
  const marked = marks.length ? `   ${GLYPH.mark} profile window (left out of the fit)` : '';
  if (chart.length && base && base.t_s.length > 1) lines.push(truncate(`  ${GLYPH.data} ${p.metric.toUpperCase()}   ${GLYPH.baseline} fitted baseline${r.row.analysis?.period_s ? ' (cycle troughs)' : ''}${marked}`, width));
  lines.push(...wrap(numbers(r), width, '  '));
  lines.push(...wrap(r.explanation, width, '  '));
  if (p.role === 'tree' && s.tree?.driver) lines.push(...wrap(`driven by ${s.tree.driver.label}: ${s.tree.driver.rateText}`, width, '  '));
  if (p.copy_on_write) for (const l of describeCopyOnWrite(p.copy_on_write)) lines.push(...wrap(l.trim(), width, '  '));
  if (r.checkText) lines.push(...wrap(r.checkText, width, '  '));
  return lines;
}

const numbers = (r: ComposedRow): string => {
  const p = r.row.report;
  return `first ${formatMb(p.first_mb)}  last ${formatMb(p.last_mb)}  min ${formatMb(p.min_mb)}  max ${formatMb(p.max_mb)}  ${p.samples} samples over ${formatDuration(p.duration_s)}`;
};

const truncate = (s: string, n: number): string => (s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s);

/** Wrap a sentence at spaces to `width`, continuation lines indented one step further. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  let line = indent;
  const first = indent;
  const next = `${indent}  `;
  for (const word of text.split(' ')) {
    const candidate = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
    if (candidate.length <= width || line.trim() === '') line = candidate;
    else {
      out.push(line);
      line = `${next}${word}`;
    }
  }
  out.push(line);
  return out.map((l) => truncate(l, width)).filter((l, i) => i === 0 || l.trim() !== '' || first === l);
}
