// The profiles leak-track --explain takes while tracking, stored with the session (migration 3): one
// row per profile (its Profile JSON, or why none could be taken) and the windows in which it paused
// or inflated the target. Written as the profile goes, so a tracker stopped mid-profile leaves an
// honest row ('running' becomes 'interrupted' when it is closed); read back by leak-report.
import type { Db } from './open-db.js';
import type { ProfileReport } from '../types.js';
import { toStorageError } from './storage-errors.js';
import { checkProfileJson } from './check-profile-json.js';
import { escapeControl } from '../text/escape.js';

export type ProfileStatus = 'running' | 'done' | 'failed' | 'interrupted';
export type WindowKind = 'paused' | 'inflated';

/** A span of wall-clock time in which a profile disturbed its target's memory (epoch ms). */
export interface ProfileWindow {
  start_ms: number;
  end_ms: number;
  kind: WindowKind;
}

/** One stored profile, as leak-report reads it back. */
export interface StoredProfile {
  id: number;
  /** processes.id of the profiled process (null if it was never recorded). */
  processRowId: number | null;
  pid: number;
  runtime: string | null;
  started_ms: number;
  ended_ms: number | null;
  status: ProfileStatus;
  /** The growth that triggered it: rate and 95 % interval, MB/min. */
  trigger: { rate: number; ci: [number, number] } | null;
  /** Why it failed or was interrupted (one line), or what it warned. */
  message: string | null;
  report: ProfileReport | null;
  windows: ProfileWindow[];
}

/** Writes the profiles of one session. Every call is its own committed statement. */
export class ProfileRecorder {
  private readonly insertProfile;
  private readonly insertWindow;
  private readonly finish;

  constructor(private readonly db: Db, private readonly sessionId: number) {
    this.insertProfile = db.prepare(
      `INSERT INTO profiles (session_id, process_id, pid, runtime, started_ms, status, trigger_rate, trigger_lo, trigger_hi)
       VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
    );
    this.insertWindow = db.prepare(`INSERT INTO profile_windows (profile_id, start_ms, end_ms, kind) VALUES (?, ?, ?, ?)`);
    this.finish = db.prepare(`UPDATE profiles SET ended_ms = ?, status = ?, message = ?, report_json = ? WHERE id = ?`);
  }

  /** A profile starts (before anything touches the target); returns its id. */
  start(p: { processRowId: number | null; pid: number; runtime: string | null; atMs: number; trigger: StoredProfile['trigger'] }): number {
    return this.guard('recording a profile', () =>
      Number(this.insertProfile.run(this.sessionId, p.processRowId, p.pid, p.runtime, p.atMs, p.trigger?.rate ?? null, p.trigger?.ci[0] ?? null, p.trigger?.ci[1] ?? null).lastInsertRowid),
    );
  }

  window(profileId: number, w: ProfileWindow): void {
    this.guard('recording a profile window', () => this.insertWindow.run(profileId, Math.round(w.start_ms), Math.round(Math.max(w.end_ms, w.start_ms)), w.kind));
  }

  end(profileId: number, atMs: number, status: Exclude<ProfileStatus, 'running'>, message: string | null, report: ProfileReport | null): void {
    this.guard('recording a profile result', () => this.finish.run(atMs, status, message, report ? JSON.stringify(report) : null, profileId));
  }

  private guard<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw toStorageError(e, `${action} to database ${this.db.name}`);
    }
  }
}

interface ProfileRow {
  id: number;
  process_id: number | null;
  pid: number;
  runtime: string | null;
  started_ms: number;
  ended_ms: number | null;
  status: ProfileStatus;
  trigger_rate: number | null;
  trigger_lo: number | null;
  trigger_hi: number | null;
  message: string | null;
  report_json: string | null;
}

/**
 * The profiles of a session, oldest first; [] for a DB from before migration 3 (opened read-only, a
 * reader never migrates). A stored report that does not parse as Profile JSON is dropped with a message
 * saying so: a damaged row must not hide the session's verdicts.
 */
export function readProfiles(db: Db, sessionId: number): StoredProfile[] {
  const has = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('profiles', 'profile_windows')`).get() as { n: number };
  if (has.n < 2) return [];
  const rows = db.prepare(`SELECT * FROM profiles WHERE session_id = ? ORDER BY id`).all(sessionId) as ProfileRow[];
  const windows = db.prepare(`SELECT start_ms, end_ms, kind FROM profile_windows WHERE profile_id = ? ORDER BY start_ms`);
  return rows.map((r) => {
    const parsed = parseReport(r.report_json);
    return {
      id: r.id,
      processRowId: r.process_id,
      pid: r.pid,
      runtime: escapeOrNull(r.runtime),
      started_ms: r.started_ms,
      ended_ms: r.ended_ms,
      status: r.status,
      trigger: r.trigger_rate !== null && r.trigger_lo !== null && r.trigger_hi !== null ? { rate: r.trigger_rate, ci: [r.trigger_lo, r.trigger_hi] } : null,
      message: escapeOrNull(parsed.error ? [r.message, parsed.error].filter(Boolean).join('; ') : r.message),
      report: parsed.report,
      windows: (windows.all(r.id) as ProfileWindow[]).filter((w) => Number.isFinite(w.start_ms) && Number.isFinite(w.end_ms) && w.end_ms >= w.start_ms),
    };
  });
}

/** The DB's text is whoever wrote the DB's: printed escaped. */
const escapeOrNull = (s: string | null): string | null => (s === null ? null : escapeControl(s));

function parseReport(json: string | null): { report: ProfileReport | null; error: string | null } {
  if (json === null) return { report: null, error: null };
  const r = checkProfileJson(json);
  return 'report' in r ? { report: r.report, error: null } : { report: null, error: `the stored profile result is damaged (${r.error}) and was left out` };
}
