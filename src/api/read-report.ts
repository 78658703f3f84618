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

export interface ReadTraceOptions extends Omit<ReadReportOptions, 'session'> {
  /** Told what was left out of the file: a last line with no newline (a log still being written). */
  onNote?: (line: string) => void;
}

/**
 * Analyse a trace CSV or a psrecord log (DESIGN.md §2 formats). A last line with no newline may be cut
 * mid-number, so it is left out, and `onNote` is told.
 */
export function readTraceReport(file: string, o: ReadTraceOptions = {}): SessionReport {
  const s = readTrace(file);
  for (const n of s.notes ?? []) o.onNote?.(n);
  return buildSessionReport(s, { metric: o.metric, maxRate: o.maxRate ?? null }).report;
}
