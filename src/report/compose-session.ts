// The one place a session's verdict summary is decided: worst-first order, the session's verdict in
// words, which child drives the tree, each row's explanation, which rows are one-liners and which
// short-lived children fold together. Text, JSON, HTML (and Prometheus) renderers only lay it out.
import { buildSessionReport, type AnalysedRow, type ReportOptions } from './session-report.js';
import type { ProcessReport, SessionReport } from '../types.js';
import type { RecordedSession } from '../store/read-session.js';
import { describeCheck, describeRate, describeVerdict } from './verdict-words.js';
import { describeShortLived } from './tree-words.js';
import { formatBound, formatDuration } from '../units.js';
import { explainEntries } from './explain-words.js';

const fmtRate = (r: number): string => (Math.abs(r) >= 100 ? r.toFixed(0) : Math.abs(r) >= 10 ? r.toFixed(1) : r.toFixed(2));

/** Until the tree logic marks short-lived members itself, a child with fewer samples than this folds. */
export const SHORT_LIVED_SAMPLES = 5;

/** One analysed row with what every renderer shows about it. */
export interface ComposedRow {
  row: AnalysedRow;
  /** "python 4242 (main)", "tree total (python 4242 + 3 children)". */
  label: string;
  /** 0 = worst; the order of the summary table. */
  rank: number;
  /** Stable, plateau, cycling or without samples to chart: one line, no chart. */
  oneLine: boolean;
  /** The rate with its interval: "growing 63.2 MB/min (58.1–68.0)". */
  rateText: string;
  /** The rate plus the analysis's explanation, one sentence. */
  explanation: string;
  /** The leak-check line where --max-rate was given. */
  checkText: string | null;
}

/** Children that lived only a few samples, listed together rather than charted one by one. */
export interface FoldedChildren {
  /** How many children are folded: those the tree logic summarised (report.short_lived) plus `rows`. */
  count: number;
  rows: ComposedRow[];
  /** "7 short-lived children (< 5 samples each): python 11, python 12, …". */
  text: string;
}

export type SessionStatus = 'leak' | 'no-leak' | 'undecided' | 'empty';

/** What every renderer of one session draws from. */
export interface ComposedSession {
  /** The Report JSON as documented (document order: processes, then the tree). */
  report: SessionReport;
  /** Worst first; folded short-lived children are not in it. */
  rows: ComposedRow[];
  folded: FoldedChildren | null;
  status: SessionStatus;
  /** The session's verdict in words, one sentence. */
  headline: string;
  /** "session 3 (train), started …, every 2 s, ended: duration". */
  title: string;
  /** The tree row, the child that drives it, and its members parent-first (depth for indenting). */
  tree: { row: ComposedRow; driver: ComposedRow | null; members: { row: ComposedRow; depth: number }[] } | null;
  /** Wall-clock epoch ms of the session's first sample; null for a trace (times are relative). */
  startMs: number | null;
}

export interface ComposeOptions {
  maxRate?: number | null;
  /** Epoch ms of the first sample (see sessionStartMs); null or absent: relative times only. */
  startMs?: number | null;
  /** Parent links of the recorded processes, to lay the tree out. */
  members?: { pid: number; ppid: number }[];
  /** Rows buildSessionReport folded as short-lived (tree-notes.ts); when given, they decide what folds. */
  folded?: AnalysedRow[];
}

/** Epoch ms of a recorded session's first sample, or null for a trace (its times start at 0). */
export function sessionStartMs(s: RecordedSession): number | null {
  if (s.info.source === 'trace') return null;
  let m = Infinity;
  for (const p of s.processes) if (p.t_ms.length && p.t_ms[0]! < m) m = p.t_ms[0]!;
  return Number.isFinite(m) ? m : null;
}

/** The parent links composeSession lays the tree out with. */
export const membersOf = (s: RecordedSession) => s.processes.map((p) => ({ pid: p.info.pid, ppid: p.info.ppid }));

// Nothing to look at in a chart of these: the table line says it all.
const QUIET_CLASSES = new Set(['stable']);

// Lower is worse: a failed gate, then growth, then what cannot be decided yet, then the benign kinds.
const CLASS_SEVERITY: Record<string, number> = { growing: 1, 'insufficient-data': 3, plateau: 4, cycling: 5, stable: 6 };

/** How bad a row is (lower = worse), for the worst-first order. */
export function severityOf(r: ProcessReport): number {
  if (r.verdict === 'fail') return 0;
  if (r.verdict === 'inconclusive' && r.classification === 'growing') return 2;
  return CLASS_SEVERITY[r.classification ?? 'insufficient-data'] ?? 3;
}

/** Order rows worst first: severity, then the faster grower, then the tree before its members. */
export function orderWorstFirst<T extends { report: ProcessReport }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => {
    const s = severityOf(a.report) - severityOf(b.report);
    if (s !== 0) return s;
    const rate = (b.report.rate_mb_per_min ?? -Infinity) - (a.report.rate_mb_per_min ?? -Infinity);
    if (rate !== 0 && Number.isFinite(rate)) return rate;
    return (a.report.role === 'tree' ? 0 : 1) - (b.report.role === 'tree' ? 0 : 1);
  });
}

/** Compose one analysed session for the renderers. */
export function composeSession(report: SessionReport, analysed: AnalysedRow[], o: ComposeOptions = {}): ComposedSession {
  // Every child counts in the tree's label; summarised ones only once (their rows are in `analysed` when folded is given).
  const children = analysed.filter((r) => r.report.role === 'child').length + (o.folded ? 0 : (report.short_lived?.count ?? 0));
  const isShort = o.folded
    ? (r: AnalysedRow) => o.folded!.includes(r)
    : (r: AnalysedRow) => r.report.role === 'child' && r.report.samples < SHORT_LIVED_SAMPLES && r.report.classification !== 'growing';
  const limit = report.session.mem_limit_mb ? { mb: report.session.mem_limit_mb, source: report.session.mem_limit_source ?? '' } : undefined;
  const compose = (r: AnalysedRow): Omit<ComposedRow, 'rank'> => ({
    row: r,
    label: labelOf(r.report, children),
    oneLine: r.mb.length < 2 || (QUIET_CLASSES.has(r.report.classification ?? '') && r.report.verdict !== 'fail'),
    rateText: describeRate(r.report),
    explanation: describeVerdict(r.report, r.analysis, limit),
    checkText: r.check && o.maxRate ? withInside(describeCheck(r.report, r.check, o.maxRate), r, report) : null,
  });
  const shown = orderWorstFirst(analysed.filter((r) => !isShort(r))).map((r, rank) => ({ ...compose(r), rank }));
  const shortRows = analysed.filter(isShort).map((r) => ({ ...compose(r), rank: -1 }));
  // The tree logic's summary (report.short_lived) words the fold when it has one; the rows it folded, when
  // given, are kept for the renderers that list them.
  const folded = shortRows.length || report.short_lived
    ? { count: report.short_lived?.count ?? shortRows.length, rows: shortRows, text: report.short_lived ? describeShortLived(report.short_lived) : foldText(shortRows) }
    : null;
  const treeRow = shown.find((r) => r.row.report.role === 'tree') ?? null;
  const d = treeRow?.row.driver;
  const driver = d ? (shown.find((r) => r.row.report.pid === d.pid && r.row.report.role !== 'tree') ?? null) : null;
  const tree = treeRow ? { row: treeRow, driver, members: layTree(shown, o.members ?? []) } : null;
  const judged = judgeSession(shown, tree, o);
  const { status } = judged;
  // Copy-on-write makes a process's USS grow without it allocating: say so where the verdict is read.
  const cow = tree?.row.row.report.copy_on_write;
  const headline = cow
    ? `${judged.headline} Copy-on-write: pages shared since fork are being copied${cow.copying.length ? ` by ${cow.copying.map((c) => `${c.name} ${c.pid}`).join(', ')}` : ''}; the tree's real growth is its PSS sum (see the tree row).`
    : judged.headline;
  return { report, rows: shown, folded, status, headline, title: titleOf(report), tree, startMs: o.startMs ?? null };
}

/**
 * A FAIL line names what holds the growth where leak-track --explain profiled it: the row's own
 * process, or for the tree the child that drives it (else any profiled member).
 */
export function withInside(line: string, r: Pick<AnalysedRow, 'report' | 'driver'>, report: SessionReport): string {
  if (r.report.verdict !== 'fail' || !report.explain?.length) return line;
  const pid = r.report.role === 'tree' ? (r.driver?.pid ?? null) : r.report.pid;
  const done = report.explain.filter((e) => e.top_holder);
  const e = done.find((x) => x.pid === pid) ?? (r.report.role === 'tree' ? done[0] : undefined);
  return e ? `${line}; inside: ${e.top_holder}` : line;
}

/** Members parent-first, depth-first; a process whose parent was not tracked hangs at the top. */
function layTree(rows: ComposedRow[], links: { pid: number; ppid: number }[]): { row: ComposedRow; depth: number }[] {
  const procs = rows.filter((r) => r.row.report.role !== 'tree');
  const parent = new Map(links.map((l) => [l.pid, l.ppid]));
  const pids = new Set(procs.map((r) => r.row.report.pid));
  const kids = new Map<number, ComposedRow[]>();
  const roots: ComposedRow[] = [];
  for (const r of procs) {
    const pp = parent.get(r.row.report.pid);
    if (r.row.report.role === 'main' || pp === undefined || !pids.has(pp) || pp === r.row.report.pid) roots.push(r);
    else kids.set(pp, [...(kids.get(pp) ?? []), r]);
  }
  const out: { row: ComposedRow; depth: number }[] = [];
  const seen = new Set<ComposedRow>();
  const visit = (r: ComposedRow, depth: number) => {
    if (seen.has(r)) return;
    seen.add(r);
    out.push({ row: r, depth });
    for (const k of kids.get(r.row.report.pid) ?? []) visit(k, depth + 1);
  };
  roots.sort((a, b) => (a.row.report.role === 'main' ? -1 : 0) - (b.row.report.role === 'main' ? -1 : 0)).forEach((r) => visit(r, 0));
  for (const r of procs) visit(r, 0); // a parent cycle from PID reuse must not hide anyone
  return out;
}

function labelOf(r: ProcessReport, children: number): string {
  if (r.role === 'tree') return `tree total (${r.name} ${r.pid} + ${children} ${children === 1 ? 'child' : 'children'})`;
  return `${r.name} ${r.pid} (${r.role})`;
}

function titleOf(report: SessionReport): string {
  const s = report.session;
  const when = s.source === 'trace' ? `trace ${s.label}` : `session ${s.id} (${s.label}), started ${s.started_at}`;
  return `${when}, every ${s.interval_s} s${s.end_reason ? `, ended: ${s.end_reason}` : ''}`;
}

function foldText(rows: ComposedRow[]): string {
  const names = rows.slice(0, 6).map((r) => `${r.row.report.name} ${r.row.report.pid}`);
  const more = rows.length > 6 ? `, … ${rows.length - 6} more` : '';
  const longest = Math.max(...rows.map((r) => r.row.report.duration_s));
  return `${rows.length} short-lived ${rows.length === 1 ? 'child' : 'children'} (< ${SHORT_LIVED_SAMPLES} samples, at most ${formatDuration(longest)} each; counted in the tree total): ${names.join(', ')}${more}`;
}

/** The session's verdict: the worst row decides, said with its rate and, for a tree, its driver. */
function judgeSession(rows: ComposedRow[], tree: ComposedSession['tree'], o: ComposeOptions): { status: SessionStatus; headline: string } {
  if (rows.length === 0) return { status: 'empty', headline: 'No samples were recorded.' };
  const worst = rows[0]!;
  const r = worst.row.report;
  const dr = tree?.driver?.row.report.rate_mb_per_min;
  const drivenBy = r.role === 'tree' && tree?.driver ? `, driven by ${tree.driver.label}${dr !== null && dr !== undefined ? ` at ${fmtRate(dr)} MB/min` : ''}` : '';
  if (r.verdict === 'fail') {
    const n = rows.filter((x) => x.row.report.verdict === 'fail').length;
    return { status: 'leak', headline: `Leak: ${worst.label} is ${worst.rateText}, above the --max-rate ${formatBound(o.maxRate)} MB/min bound${drivenBy}${n > 1 ? `; ${n} rows fail` : ''}.` };
  }
  if (r.classification === 'growing') {
    const gated = r.verdict === 'inconclusive' ? ' (not yet confidently above --max-rate: record longer)' : r.verdict === 'pass' ? ` (within --max-rate ${formatBound(o.maxRate)} MB/min)` : '';
    return { status: r.verdict === 'pass' ? 'no-leak' : r.verdict === 'inconclusive' ? 'undecided' : 'leak', headline: `Growing: ${worst.label} is ${worst.rateText}${drivenBy}${gated}.` };
  }
  if (r.classification === 'insufficient-data' || r.classification === null) {
    const why = worst.row.analysis?.explanation;
    const more = worst.row.analysis?.need_more_s ? `; record about ${formatDuration(worst.row.analysis.need_more_s)} more` : '';
    return { status: 'undecided', headline: `Not enough data to decide for ${worst.label}${why ? `: ${why}` : ''}${more}.` };
  }
  const kinds = countKinds(rows);
  return { status: 'no-leak', headline: `No leak: ${rows.length === 1 ? `${worst.label} is ${r.classification}` : `every process is ${kinds}`}.` };
}

function countKinds(rows: ComposedRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const k = r.row.report.classification ?? 'insufficient-data';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const parts = [...counts.entries()].map(([k, n]) => `${k} (${n})`);
  return parts.length === 1 ? `${[...counts.keys()][0]}` : parts.join(', ');
}

/** Analyse a recorded session and compose it: what leak-report and leak-track's summary render. */
export function analyseAndCompose(s: RecordedSession, o: ReportOptions = {}): ComposedSession {
  const { report, rows, folded } = buildSessionReport(s, o);
  if (s.profiles?.length) report.explain = explainEntries(s, [...rows, ...folded].map((r) => r.report), sessionStartMs(s));
  return composeSession(report, [...rows, ...folded], { maxRate: o.maxRate, startMs: sessionStartMs(s), members: membersOf(s), folded });
}
