// Writes one tracking session: the session row, a row per (pid, start time), and every tick's
// samples in a single transaction, so a tracker killed at any moment keeps every finished tick.
import { hostname } from 'node:os';
import type { Db } from './open-db.js';
import type { ProcessInfo, Sample } from '../types.js';

export interface NewSession {
  label: string;
  interval_s: number;
  target: string;
  source?: 'track' | 'trace';
  tool_version?: string;
}

/** Handle for appending to one session. */
export class SessionWriter {
  readonly sessionId: number;
  private readonly db: Db;
  private readonly insertProcess;
  private readonly insertSample;
  private readonly markExited;
  private readonly writeTick;

  constructor(db: Db, s: NewSession) {
    this.db = db;
    const info = db
      .prepare(
        `INSERT INTO sessions (label, started_at, interval_s, source, target, host, tool_version)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.label, new Date().toISOString(), s.interval_s, s.source ?? 'track', s.target, hostname(), s.tool_version ?? null);
    this.sessionId = Number(info.lastInsertRowid);
    this.insertProcess = db.prepare(
      `INSERT INTO processes (session_id, pid, ppid, start_ticks, name, cmdline, role, first_seen_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertSample = db.prepare(
      `INSERT OR REPLACE INTO samples (process_id, t_ms, rss, uss, pss, swap, vram, cpu) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.markExited = db.prepare(`UPDATE processes SET exited_ms = ? WHERE id = ?`);
    this.writeTick = db.transaction((rows: { processId: number; sample: Sample }[]) => {
      for (const { processId, sample: s } of rows) {
        this.insertSample.run(processId, s.t_ms, s.rss, s.uss, s.pss, s.swap, s.vram, s.cpu);
      }
    });
  }

  /** Register a process seen for the first time; returns its row id for later samples. */
  addProcess(p: ProcessInfo, firstSeenMs: number): number {
    const role = p.role === 'tree' ? 'child' : p.role;
    return Number(
      this.insertProcess.run(this.sessionId, p.pid, p.ppid, p.start_ticks, p.name, p.cmdline, role, firstSeenMs).lastInsertRowid,
    );
  }

  /** Commit one tick's samples atomically. */
  appendTick(rows: { processId: number; sample: Sample }[]): void {
    if (rows.length > 0) this.writeTick(rows);
  }

  processExited(processId: number, atMs: number): void {
    this.markExited.run(atMs, processId);
  }

  /** Close the session with why it ended (duration, target-exited, interrupted, terminated, error). */
  end(reason: string): void {
    this.db.prepare(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?`).run(new Date().toISOString(), reason, this.sessionId);
  }
}
