// Shared by leak-report and leak-check: load the sessions to analyse from a DB or a trace file.
import { readSessionsFromFile, type RecordedSession } from '../../store/read-session.js';
import { readTrace } from '../../store/read-trace.js';
import { usageError } from '../../errors.js';

export interface InputArgs {
  db: string;
  trace: string | null;
  session: string | undefined;
}

/** Sessions to analyse, oldest first. */
export function loadSessions(a: InputArgs): RecordedSession[] {
  if (a.trace) {
    if (a.session !== undefined) throw usageError('--session applies to a --db, not to a --trace file');
    return [readTrace(a.trace)];
  }
  return readSessionsFromFile(a.db, a.session);
}
