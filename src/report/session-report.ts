// From a recorded session (DB or trace) to the Report JSON rows: one per process and one for the
// tree total, each analysed on the chosen metric. Pure: data in, data out.
import { escapeControl } from '../text/escape.js';
import { analyzeSeries, checkRate, leaveOutWindows, type RateCheck, type SeriesAnalysis, type SeriesWindow } from '../analyze/index.js';
import { profileWindows } from './profile-windows-of.js';
import type { CopyOnWrite, Metric, ProcessReport, SessionReport } from '../types.js';
import type { ProcessSeries, RecordedSession } from '../store/read-session.js';
import { MiB } from '../units.js';
import { chooseTreeMetric, sumTreeSeries } from './tree-series.js';
import { carryByRss, withCarried } from './carry-by-rss.js';
import { agreeWithMembers, quietMembersQuietTree } from './tree-consistency.js';
import { DEFAULT_FLOOR } from '../analyze/analyze-series.js';
import { sayWhatRssSees } from './rss-sees.js';
import { detectCopyOnWrite, isShortLived, summariseShortLived, ticksSeen } from './tree-notes.js';

/** A report row plus what the text view needs beyond the JSON (series, fit, check detail). */
export interface AnalysedRow {
  report: ProcessReport;
  t_s: number[];
  mb: number[];
  analysis: SeriesAnalysis | null;
  check: RateCheck | null;
  /** For a tree row: the process whose growth drives the total, if one does. */
  driver: { pid: number; name: string; rate_mb_per_min: number } | null;
  /** Where a profile (leak-track --explain) disturbed this series: left out of the fit, marked on charts. */
  windows?: SeriesWindow[];
}

export interface ReportOptions {
  /** Requested metric; default USS, falling back to RSS per process where USS was never read. */
  metric?: Metric;
  maxRate?: number | null;
  floorMbPerMin?: number;
  /** Memory limit (MiB) that growth is projected to; default: the one recorded with the session. */
  limitMb?: number;
  /** How long after a profile window memory still settles, s; default: the session's interval. */
  settleS?: number;
  /** The series end where the processes exited (default: the session ended because its target exited). */
  endsAtExit?: boolean;
}

/**
 * Analyse every process of a session and the tree total. Processes never sampled get no row;
 * short-lived children (tree-notes.ts) are summarised together in `short_lived` and only counted in
 * the tree, so they are neither charted nor gated one by one.
 */
export function buildSessionReport(recorded: RecordedSession, opts: ReportOptions = {}): { report: SessionReport; rows: AnalysedRow[]; folded: AnalysedRow[] } {
  const s = printableSession(recorded);
  // A sharp fall in the last readings of a session whose target exited is its tear-down (end-fall.ts).
  const endsAtExit = opts.endsAtExit ?? s.info.end_reason === 'target-exited';
  const o: ReportOptions = { ...opts, limitMb: opts.limitMb ?? s.info.mem_limit_mb, settleS: opts.settleS ?? s.info.interval_s, endsAtExit };
  const sampled = s.processes.filter((p) => p.t_ms.length > 0);
  const t0 = minOf(sampled.map((p) => p.t_ms[0]!));
  const span = sampled.length ? maxOf(sampled.map((p) => p.t_ms[p.t_ms.length - 1]!)) - t0 : 0;
  const disturbed = profileWindows(s, t0);
  const all = sampled.map((p) => ({ p, row: analyseRow(p, t0, o, disturbed.byProcess.get(p.rowId) ?? []) }));
  const cow = sampled.some((p) => p.info.role === 'child') ? detectCopyOnWrite(sampled, t0) : null;
  if (cow && !o.metric) judgeCopiesOnRss(all, cow, t0, o, disturbed.byProcess);
  const kept = all.filter(({ p, row }) => !isShortLived(p, growsMatterially(row), span));
  const folded = all.filter((x) => !kept.includes(x));
  const rows = kept.map((x) => x.row);
  const report: SessionReport = { session: s.info, processes: [] };
  if (sampled.some((p) => p.info.role === 'child')) {
    const tree = treeRow(sampled, kept.map((x) => x.p), t0, o, rows, cow, disturbed.all);
    if (s.bucketMs !== null) tree.report.samples = s.ticks; // the series holds bucket sums; count ticks
    if (folded.length > 0) report.short_lived = summariseShortLived(folded.map(({ p }) => ({ p, samples: ticksSeen(p) })), tree.report.metric);
    rows.push(tree);
  }
  report.processes = rows.map((r) => r.report);
  return { report, rows, folded: folded.map((x) => x.row) };
}

/**
 * A short-lived child keeps its own row when it grows by a megabyte or more: a DataLoader worker
 * whose USS rises 0.2 MB while it warms up over its 12-second epoch reads "growing" on a series read
 * every tick, and is still a passer-by.
 */
const growsMatterially = (row: AnalysedRow): boolean =>
  row.analysis?.classification === 'growing' && ((row.analysis.rate_mb_per_min ?? 0) * row.report.duration_s) / 60 >= 1;

/** The series a metric yields for one process: points where it was read (others are skipped, not zero). */
export function seriesOf(p: ProcessSeries, metric: Metric, t0: number): { t_s: number[]; mb: number[] } {
  const values = p[metric];
  const t_s: number[] = [];
  const mb: number[] = [];
  for (let i = 0; i < p.t_ms.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    t_s.push((p.t_ms[i]! - t0) / 1000);
    mb.push(v / MiB);
  }
  return { t_s, mb };
}

function chooseMetric(p: ProcessSeries, requested: Metric | undefined): Metric {
  if (requested) return requested;
  // USS where read, else RSS; a series that holds only another metric (a VRAM trace, a Prometheus
  // DCGM series) is analysed on that one.
  if (p.uss.some((v) => v !== null)) return 'uss';
  if (p.rss.some((v) => v !== null)) return 'rss';
  return (['pss', 'swap', 'vram'] as const).find((m) => p[m].some((v) => v !== null)) ?? 'rss';
}

function analyseRow(p: ProcessSeries, t0: number, o: ReportOptions, windows: SeriesWindow[] = []): AnalysedRow {
  const metric = chooseMetric(p, o.metric);
  const raw = p.raw?.[metric];
  const carry = raw ? null : carryByRss(p, metric);
  const { t_s, mb } = seriesOf(carry?.carried ? { ...p, [metric]: carry.values } : p, metric, t0);
  const row = finishRow({ ...p.info, role: p.info.role === 'tree' ? 'tree' : p.info.role }, metric, t_s, mb, o, null, windows);
  if (carry?.carried) {
    sayCarried(row, metric, carry.read, carry.carried);
    // Counts and extremes are readings, not carried estimates: a bucketed read of the same session
    // (whose figures come from the raw readings) then says the same.
    const read = p[metric].filter((v): v is number => v !== null && v !== undefined);
    const r = row.report;
    r.samples = read.length;
    [r.first_mb, r.last_mb, r.min_mb, r.max_mb] = [read[0]!, read.at(-1)!, minOf(read), maxOf(read)].map((v) => round(v / MiB, 1));
  }
  if (metric === 'uss' && !o.metric) sayWhatRssSees(row, { t_s, mb }, seriesOf(p, 'rss', t0), o);
  if (raw) {
    // A long session was read as bucket means: counts and extremes come from the raw samples.
    const r = row.report;
    const mbOf = (v: number | null) => (v === null ? null : round(v / MiB, 1));
    r.samples = raw.samples;
    [r.first_mb, r.last_mb, r.min_mb, r.max_mb] = [mbOf(raw.first), mbOf(raw.last), mbOf(raw.min), mbOf(raw.max)];
  }
  return row;
}

/**
 * A member whose USS grows by copy-on-write (it copies pages it inherited, or others stopped sharing
 * its pages) is judged on RSS: RSS counted those pages from the fork on, so copying does not move it
 * while a leak does. Its USS verdict would gate a DataLoader worker reading a big Python list (PyTorch
 * #13246) as a 100 MB/min leak, and its main as one too, though neither allocates anything.
 */
function judgeCopiesOnRss(all: { p: ProcessSeries; row: AnalysedRow }[], cow: CopyOnWrite, t0: number, o: ReportOptions, windows: Map<number, SeriesWindow[]>): void {
  const who = new Map([...cow.copying, ...cow.unshared_by_others].map((c) => [c.pid, c.uss_growth_mb]));
  for (const x of all) {
    const du = who.get(x.p.info.pid);
    if (du === undefined || x.row.report.metric !== 'uss' || !x.p.rss.some((v) => v !== null)) continue;
    const { t_s, mb } = seriesOf(x.p, 'rss', t0);
    const row = finishRow({ ...x.p.info }, 'rss', t_s, mb, o, null, windows.get(x.p.rowId) ?? []);
    if (row.analysis) {
      const why = x.p.info.role === 'child' ? 'it copies pages it inherited' : 'the others stopped sharing its pages';
      row.analysis = { ...row.analysis, explanation: `${row.analysis.explanation}; judged on RSS: its USS grew ${du.toFixed(1)} MB by copy-on-write (${why}), which RSS already counted` };
      if (row.check?.verdict === 'inconclusive') row.check = { ...row.check, reason: row.analysis.explanation };
    }
    x.row = row;
  }
}

/** The row says that part of its series was carried by RSS between readings (carry-by-rss.ts). */
function sayCarried(row: AnalysedRow, metric: Metric, read: number, carried: number): void {
  row.report.carried_by_rss = { read, carried };
  if (!row.analysis) return;
  const m = metric.toUpperCase();
  row.analysis = {
    ...row.analysis,
    explanation: `${row.analysis.explanation}; ${m} read on ${read} of ${read + carried} ticks, the ${carried} between carried by RSS (read every tick; the shared part taken as moving in a straight line between readings)`,
  };
  if (row.check?.verdict === 'inconclusive') row.check = { ...row.check, reason: row.analysis.explanation };
}

/**
 * Tree total (tree-series.ts): at each tick, the sum over the members alive then, on PSS where the
 * main and every long-lived child had PSS read (else USS, else RSS; `metric` says which).
 */
function treeRow(members: ProcessSeries[], required: ProcessSeries[], t0: number, o: ReportOptions, rows: AnalysedRow[], cow: CopyOnWrite | null, windows: SeriesWindow[]): AnalysedRow {
  const metric = chooseTreeMetric(required, o.metric);
  const { t_s, mb } = sumTreeSeries(members.map((p) => (p.raw ? p : withCarried(p, metric))), metric, t0);
  const main = members.find((p) => p.info.role === 'main') ?? members[0]!;
  // A process whose USS grows only because others stopped sharing its pages does not drive the tree.
  const passive = new Set(cow?.unshared_by_others.map((x) => x.pid) ?? []);
  const growers = rows
    .filter((r) => r.analysis?.classification === 'growing' && (r.report.rate_mb_per_min ?? 0) > 0 && !passive.has(r.report.pid))
    .sort((a, b) => (b.report.rate_mb_per_min ?? 0) - (a.report.rate_mb_per_min ?? 0));
  const driver = growers[0]
    ? { pid: growers[0].report.pid, name: growers[0].report.name, rate_mb_per_min: growers[0].report.rate_mb_per_min! }
    : null;
  let row = finishRow({ ...main.info, role: 'tree' }, metric, t_s, mb, o, driver, windows);
  const endMs = Math.max(...members.map((p) => p.t_ms[p.t_ms.length - 1] ?? -Infinity));
  const lastOf = new Map(required.map((p) => [p.info.pid, p.t_ms[p.t_ms.length - 1] ?? -Infinity]));
  const slack = 2 * Math.max(1000, (endMs - Math.min(...members.map((p) => p.t_ms[0] ?? Infinity))) / Math.max(1, t_s.length - 1));
  const movers = rows
    .filter((r) => !passive.has(r.report.pid))
    .map((r) => ({ label: `${r.report.name} ${r.report.pid}`, analysis: r.analysis, aliveAtEnd: (lastOf.get(r.report.pid) ?? -Infinity) >= endMs - slack }));
  const floor = o.floorMbPerMin ?? DEFAULT_FLOOR;
  const churn = members.some((p) => (p.t_ms[p.t_ms.length - 1] ?? Infinity) < endMs - slack);
  let agreed = row.analysis && agreeWithMembers(row.analysis, movers, floor, churn);
  if (row.analysis?.classification === 'growing' && members.length === required.length) {
    // No short-lived children: the members are the whole total. Judged on the total's metric.
    const onTreeMetric = required.map((p) => ({ label: `${p.info.name} ${p.info.pid}`, analysis: analyseRow(p, t0, { ...o, metric }).analysis }));
    agreed = quietMembersQuietTree(row.analysis, onTreeMetric, floor) ?? agreed;
  }
  if (agreed) row = finishRow({ ...main.info, role: 'tree' }, metric, t_s, mb, o, driver, windows, agreed);
  if (cow) row.report.copy_on_write = cow;
  return row;
}

function finishRow(
  info: ProcessSeries['info'],
  metric: Metric,
  t_s: number[],
  mb: number[],
  o: ReportOptions,
  driver: AnalysedRow['driver'],
  windows: SeriesWindow[] = [],
  judged?: SeriesAnalysis,
): AnalysedRow {
  // The limit is host memory: it says nothing about VRAM.
  const limitMb = metric === 'vram' ? undefined : o.limitMb;
  // A profile's pauses and inflation never reach the fit (profile-windows.ts); the chart keeps every sample.
  const fit = windows.length ? leaveOutWindows(t_s, mb, windows, o.settleS ?? 0) : null;
  const analysis = judged ?? (mb.length > 0 ? analyzeSeries(fit ?? { t_s, mb }, { floorMbPerMin: o.floorMbPerMin, limitMb, endsAtExit: o.endsAtExit }) : null);
  // No reading of the metric at all: still a gate answer (INCONCLUSIVE), never a missing one.
  const check = !o.maxRate ? null : analysis ? checkRate(analysis, o.maxRate) : { verdict: 'inconclusive' as const, reason: `no ${metric} readings`, more_s: null };
  const report: ProcessReport = {
    pid: info.pid,
    name: info.name,
    cmdline: info.cmdline,
    role: info.role,
    metric,
    samples: mb.length,
    duration_s: t_s.length > 1 ? round(t_s[t_s.length - 1]! - t_s[0]!, 3) : 0,
    first_mb: mb.length ? round(mb[0]!, 1) : null,
    last_mb: mb.length ? round(mb[mb.length - 1]!, 1) : null,
    min_mb: mb.length ? round(minOf(mb), 1) : null,
    max_mb: mb.length ? round(maxOf(mb), 1) : null,
    rate_mb_per_min: analysis?.rate_mb_per_min ?? null,
    rate_ci95_mb_per_min: analysis?.rate_ci95_mb_per_min ?? null,
    classification: analysis?.classification ?? 'insufficient-data',
  };
  if (report.rate_mb_per_min !== null) report.rate_mb_per_min = round(report.rate_mb_per_min, 2);
  if (report.rate_ci95_mb_per_min) report.rate_ci95_mb_per_min = [round(report.rate_ci95_mb_per_min[0], 2), round(report.rate_ci95_mb_per_min[1], 2)];
  if (check) report.verdict = check.verdict;
  Object.assign(report, projections(report, analysis, limitMb));
  if (fit) report.profile_samples_left_out = fit.left_out;
  return { report, t_s, mb, analysis, check, driver, ...(windows.length ? { windows } : {}) };
}

/**
 * Where memory is heading, apart from the rate: a sawtooth's peaks (they can reach the limit although the
 * troughs stay level) and, for growth, when the limit is reached at this rate.
 */
function projections(r: ProcessReport, a: SeriesAnalysis | null, limitMb: number | undefined): Partial<ProcessReport> {
  const out: Partial<ProcessReport> = {};
  if (typeof a?.peaks_rate_mb_per_min === 'number') out.peaks_rate_mb_per_min = round(a.peaks_rate_mb_per_min, 2);
  if (typeof a?.peaks_reach_limit_s === 'number') out.peaks_reach_limit_s = Math.round(a.peaks_reach_limit_s);
  const rate = r.rate_mb_per_min ?? 0;
  if (limitMb !== undefined && r.classification === 'growing' && rate > 0 && r.last_mb !== null) {
    out.reach_limit_s = Math.round((Math.max(0, limitMb - r.last_mb) / rate) * 60);
  }
  return out;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

// Loops, not Math.min(...xs): a day at 1 s is 86,400 arguments, past the engine's call-stack limit.
function minOf(xs: number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}
function maxOf(xs: number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/**
 * The session with every string that came from outside (a DB, a trace, a server, /proc) escaped:
 * every report, text, JSON, HTML, JUnit and leak-check line alike, is built from this, so none of
 * them can carry a terminal escape or an XML-illegal character. The series are shared, not copied.
 */
function printableSession(s: RecordedSession): RecordedSession {
  const e = (v: string | null | undefined) => (typeof v === 'string' ? escapeControl(v) : v);
  return {
    ...s,
    info: { ...s.info, label: e(s.info.label)!, started_at: e(s.info.started_at)!, ended_at: e(s.info.ended_at) ?? null, end_reason: e(s.info.end_reason) ?? null,
      ...(s.info.mem_limit_source !== undefined ? { mem_limit_source: e(s.info.mem_limit_source)! } : {}) },
    processes: s.processes.map((p) => ({ ...p, info: { ...p.info, name: escapeControl(String(p.info.name)), cmdline: escapeControl(String(p.info.cmdline)) } })),
  };
}
