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
