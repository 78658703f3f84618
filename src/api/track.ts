// Tracking for scripts: record a process (or a command it launches) into a leak-track DB, then return
// the same Report JSON `leak-track --json` prints. Built on the tracking core the CLI uses.
import { analyseAndCompose } from '../report/compose-session.js';
import { Explainer } from '../explain/explainer.js';
import { prepareOutDir } from '../safe-files.js';
import { openDbForWrite } from '../store/open-db.js';
import { readSession } from '../store/read-session.js';
import { chooseProcessSource } from '../track/choose-source.js';
import { trackSession, type TrackTarget } from '../track/track-session.js';
import type { TickSummary } from '../track/sampler.js';
import type { SessionReport } from '../types.js';
import { usageError } from '../errors.js';

export interface TrackOptions {
  /** One target: a PID, a command to launch, a command-line regex, or the training job found on this machine. */
  pid?: number;
  command?: string[];
  match?: string;
  findTraining?: boolean;
  /** The leak-track DB to write (created 0600 if missing). */
  db: string;
  /** Seconds; 0 = until the target exits or `signal` aborts. Default 600. */
  durationS?: number;
  /** Seconds between samples. Default 2. */
  intervalS?: number;
  /** Follow children (DataLoader workers). Default true. */
  children?: boolean;
  label?: string;
  /** MB/min: adds a pass/fail/inconclusive verdict to every row. */
  maxRate?: number;
  /** Abort to stop early; abort('SIGTERM') records and forwards that signal to a launched command. */
  signal?: AbortSignal;
  onTick?: (tick: TickSummary) => void;
  onNotice?: (message: string) => void;
  /**
   * leak-track --explain: profile a confidently growing process while tracking goes on (docs/explain.md);
   * `true` for the CLI's defaults. The profiles land in the DB and in `report.explain`; their progress in onNotice.
   */
  explain?: boolean | ExplainTrackOptions;
}

/** leak-track's --explain-max, --explain-interval (s) and --explain-out. */
export interface ExplainTrackOptions {
  maxPerProcess?: number;
  intervalS?: number;
  outDir?: string;
}

export interface TrackResult {
  sessionId: number;
  /** Why sampling ended: duration, target-exited, interrupted, terminated, hangup, aborted. */
  endReason: string;
  report: SessionReport;
}

/** Record a target into `db` and analyse the session. */
export async function track(o: TrackOptions): Promise<TrackResult> {
  const ex = explainOptions(o.explain);
  // as leak-track: a DIR another user could change is refused before anything is launched or recorded
  const outDir = ex?.outDir ? prepareOutDir(ex.outDir, 'explain.outDir') : null;
  const source = chooseProcessSource(process.env);
  const db = openDbForWrite(o.db);
  const explainer = ex
    ? new Explainer({
      db, maxPerProcess: ex.maxPerProcess, maxRate: o.maxRate ?? null, intervalS: o.intervalS ?? 2, captures: 3,
      captureIntervalS: ex.intervalS, outDir, signal: o.signal ?? new AbortController().signal, say: (m) => o.onNotice?.(m),
    })
    : null;
  try {
    const r = await trackSession({
      target: targetOf(o),
      intervalS: o.intervalS ?? 2,
      durationS: o.durationS ?? 600,
      children: o.children ?? true,
      db,
      label: o.label ?? null,
      source,
      signal: o.signal,
      onLaunchOutput: () => {}, // a library must not write to its host's stdout
      keepSampling: () => explainer?.busy ?? false,
      onStart: ({ sessionId }) => explainer?.begin(sessionId, Date.now()),
      onTick: (t) => {
        o.onTick?.(t);
        explainer?.onTick(t);
      },
      onNotice: o.onNotice,
    }).finally(() => explainer?.settle());
    const { report } = analyseAndCompose(readSession(db, r.sessionId), { maxRate: o.maxRate ?? null });
    return { sessionId: r.sessionId, endReason: r.endReason, report };
  } finally {
    db.close();
    source.close();
  }
}

function targetOf(o: TrackOptions): TrackTarget {
  const given = [o.pid !== undefined, o.command !== undefined, o.match !== undefined, Boolean(o.findTraining)].filter(Boolean).length;
  if (given !== 1) throw usageError('track: give exactly one of pid, command, match or findTraining');
  if (o.pid !== undefined) return { kind: 'pid', pid: o.pid };
  if (o.command !== undefined) {
    if (o.command.length === 0) throw usageError('track: command must name a program');
    return { kind: 'launch', command: o.command };
  }
  if (o.match !== undefined) return { kind: 'match', pattern: o.match };
  return { kind: 'find-training' };
}

/** The CLI's defaults and bounds (track-args.ts): 1 profile per process, 15 s between its 3 captures. */
function explainOptions(e: TrackOptions['explain']): { maxPerProcess: number; intervalS: number; outDir: string | null } | null {
  if (!e) return null;
  const o = e === true ? {} : e;
  const maxPerProcess = o.maxPerProcess ?? 1;
  const intervalS = o.intervalS ?? 15;
  if (!Number.isInteger(maxPerProcess) || maxPerProcess < 1 || maxPerProcess > 100) throw usageError(`track: explain.maxPerProcess must be a whole number from 1 to 100, not ${maxPerProcess}`);
  if (!(intervalS >= 0.5 && intervalS <= 600)) throw usageError(`track: explain.intervalS must be from 0.5 to 600 seconds, not ${intervalS}`);
  if (o.outDir !== undefined && o.outDir.trim() === '') throw usageError('track: explain.outDir needs a directory');
  return { maxPerProcess, intervalS, outDir: o.outDir ?? null };
}
