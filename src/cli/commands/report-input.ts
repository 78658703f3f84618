// Shared by leak-report and leak-check: load the sessions to analyse from a DB or a trace file.
import { readSessionsFromFile, type RecordedSession } from '../../store/read-session.js';
import { readTrace } from '../../store/read-trace.js';
import { usageError } from '../../errors.js';
import type { Metric } from '../../types.js';

const METRICS: readonly Metric[] = ['uss', 'pss', 'rss', 'swap', 'vram'];

/** The --metric value (leak-report and leak-check judge the same series for the same flag). */
export function parseMetric(value: string | undefined): Metric | undefined {
  if (value !== undefined && !METRICS.includes(value as Metric)) throw usageError(`--metric must be one of ${METRICS.join(', ')}, got \`${value}\``);
  return value as Metric | undefined;
}

/** The --metric option as both commands describe it. */
export const METRIC_OPTION = {
  type: 'string',
  describe: 'the series to judge: uss, pss, rss, swap or vram',
  defaultDescription: 'uss (rss where USS was never read)',
} as const;

export interface InputArgs {
  db: string;
  trace: string | null;
  session: string | undefined;
}

/** Sessions to analyse, oldest first. `note` gets what the reader left out (a trace's unterminated last line). */
export function loadSessions(a: InputArgs, note: (line: string) => void): RecordedSession[] {
  if (a.trace) {
    if (a.session !== undefined) throw usageError('--session applies to a --db, not to a --trace file');
    const s = readTrace(a.trace);
    for (const n of s.notes ?? []) note(n);
    return [s];
  }
  return readSessionsFromFile(a.db, a.session);
}

/**
 * A --metric the input never read is an input error, not a verdict: judged anyway, every row read
 * "insufficient data" and leak-check passed (exit 0) a gate that looked at nothing, e.g. --metric uss on
 * a psrecord log (RSS only) or --metric vram on a DB recorded without nvidia-smi.
 */
export function requireMetricRead(sessions: RecordedSession[], metric: Metric | undefined, a: InputArgs): void {
  if (metric === undefined || sessions.length === 0) return;
  const read = (m: Metric) => sessions.some((s) => s.processes.some((p) => p[m].some((v) => v !== null)));
  if (read(metric)) return;
  const has = METRICS.filter(read);
  const what = a.trace ? `trace ${a.trace}` : sessions.length === 1 ? `session ${sessions[0]!.info.id} of ${a.db}` : `the sessions of ${a.db}`;
  const instead = has.length > 0 ? `it holds ${has.join(', ')}: pass --metric ${has.includes('rss') ? 'rss' : has[0]} or leave --metric out` : 'it holds no readings at all';
  throw usageError(`--metric ${metric}: ${what} holds no ${metric} readings${metric === 'vram' ? ' (nvidia-smi was not there when it was recorded?)' : ''}; ${instead}`);
}
