// Reports from what was recorded, for scripts: the same Report JSON rows leak-report prints.
import { buildSessionReport } from '../report/session-report.js';
import { analyseAndCompose } from '../report/compose-session.js';
import { readSessionsFromFile } from '../store/read-session.js';
import { readTrace } from '../store/read-trace.js';
import type { Metric, SessionReport } from '../types.js';

export interface ReadReportOptions {
  /** Which session(s): an id, 'latest' (default) or 'all'. */
  session?: number | 'latest' | 'all';
  /** The series verdicts are made on (default USS, RSS where USS was never read). */
  metric?: Metric;
  /** MB/min: adds a pass/fail/inconclusive `verdict` to every row. */
  maxRate?: number;
}

/** Analyse sessions of a leak-track DB: one SessionReport per session, oldest first. */
export function readReport(dbFile: string, o: ReadReportOptions = {}): SessionReport[] {
  return readSessionsFromFile(dbFile, o.session === undefined ? 'latest' : String(o.session)).map(
    // composed as leak-report --json is: a session leak-track --explain profiled carries its `explain[]`
    (s) => analyseAndCompose(s, { metric: o.metric, maxRate: o.maxRate ?? null }).report,
  );
}

/** Analyse a trace CSV or a psrecord log (DESIGN.md §2 formats). */
export function readTraceReport(file: string, o: Omit<ReadReportOptions, 'session'> = {}): SessionReport {
  return buildSessionReport(readTrace(file), { metric: o.metric, maxRate: o.maxRate ?? null }).report;
}
