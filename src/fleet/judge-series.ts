// The verdict on one series of a fleet: the same analysis, row and words as a recorded session with
// that one process (buildSessionReport), so a series judged in a fleet of 10,000, in a worker, reads
// exactly as it does when asked for alone. Pure: plain data in, plain data out (it crosses threads).
import { buildSessionReport, type AnalysedRow } from '../report/session-report.js';
import { describeCheck, describeRate, describeVerdict } from '../report/verdict-words.js';
import type { ProcessSeries, RawFigures } from '../store/read-session.js';
import { describeSeries, metricOf } from '../store/read-prometheus.js';
import type { Metric, ProcessReport } from '../types.js';

/** What the reader hands over for one series (bytes, epoch ms). */
export interface SeriesJob {
  id: number;
  name: string;
  labels: Record<string, string>;
  t_ms: number[];
  bytes: number[];
  raw: RawFigures;
  /** True when the points are bucket means (then counts and extremes come from `raw`). */
  bucketed: boolean;
}

export interface JudgeOptions {
  maxRate: number | null;
  /** Epoch ms of the window's start: the time origin of every series. */
  originMs: number;
  /** Keep the points and the fit for rows of these classes (the charts); others come back without. */
  keepSeriesOf: string[];
}

/** A judged series; `row` carries points and fit only where asked for. */
export interface Judged {
  id: number;
  labels: Record<string, string>;
  report: ProcessReport;
  rateText: string;
  explanation: string;
  checkText: string | null;
  row: AnalysedRow | null;
}

/** Judge one series. */
export function judgeSeries(job: SeriesJob, o: JudgeOptions): Judged {
  const metric: Metric = metricOf(job.labels);
  const none = (): (number | null)[] => new Array<number | null>(job.t_ms.length).fill(null);
  const p: ProcessSeries = {
    info: { pid: 0, ppid: 0, start_ticks: 0, name: job.name, cmdline: describeSeries(job.labels), role: 'main' },
    rowId: 0, t_ms: [o.originMs, ...job.t_ms], rss: none(), uss: none(), pss: none(), swap: none(), vram: none(), cpu: none(),
  };
  // The origin is a time with no reading (null everywhere): every series counts time from the window's
  // start, whatever fleet it is read in.
  for (const m of ['rss', 'uss', 'pss', 'swap', 'vram', 'cpu'] as const) p[m].unshift(null);
  p[metric] = [null, ...job.bytes];
  if (job.bucketed) {
    const empty: RawFigures = { samples: 0, min: null, max: null, first: null, last: null };
    p.raw = { rss: empty, uss: empty, pss: empty, swap: empty, vram: empty, [metric]: job.raw };
  }
  const session = {
    info: { id: 0, label: job.name, started_at: new Date(o.originMs).toISOString(), interval_s: 0, source: 'prometheus' as const, ended_at: null, end_reason: null },
    processes: [p], bucketMs: null, ticks: job.t_ms.length,
  };
  const { rows } = buildSessionReport(session as never, { maxRate: o.maxRate });
  const row = rows[0]!;
  const keep = o.keepSeriesOf.includes(row.report.classification ?? '') || row.report.verdict === 'fail';
  return {
    id: job.id,
    labels: job.labels,
    report: row.report,
    rateText: describeRate(row.report),
    explanation: describeVerdict(row.report, row.analysis),
    checkText: row.check && o.maxRate ? describeCheck(row.report, row.check, o.maxRate) : null,
    row: keep ? row : null,
  };
}
