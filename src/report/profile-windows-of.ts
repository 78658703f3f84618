// Where leak-track --explain's stored profiles disturbed a session's series, on the analysis's time axis.
import type { SeriesWindow } from '../analyze/index.js';
import type { RecordedSession } from '../store/read-session.js';

/**
 * The windows in which a stored profile paused or inflated its target, on the series' time axis: per
 * process (its row id) and all together (the tree total holds every profiled process).
 */
export function profileWindows(s: RecordedSession, t0: number): { byProcess: Map<number, SeriesWindow[]>; all: SeriesWindow[] } {
  const byProcess = new Map<number, SeriesWindow[]>();
  const all: SeriesWindow[] = [];
  for (const pr of s.profiles ?? []) {
    const ws = pr.windows.map((w) => ({ start_s: (w.start_ms - t0) / 1000, end_s: (w.end_ms - t0) / 1000 }));
    const rowId = pr.processRowId ?? s.processes.find((p) => p.info.pid === pr.pid)?.rowId;
    if (rowId !== undefined) byProcess.set(rowId, [...(byProcess.get(rowId) ?? []), ...ws]);
    all.push(...ws);
  }
  return { byProcess, all };
}
