// Writes one tracking session: the session row, a row per (pid, start time), and every tick's
// samples in a single transaction, so a tracker killed at any moment keeps every finished tick.
// Storage that fails under it (disk full, read-only, the file removed or replaced) is a storage
// error (exit 4) that says how many ticks stayed committed; it never passes silently.
import { hostname } from 'node:os';
import type { Db } from './open-db.js';
import type { ProcessInfo, Sample } from '../types.js';
import { storageError } from '../errors.js';
import { fileIdentity } from './db-files.js';
import { toStorageError } from './storage-errors.js';

export interface NewSession {
  label: string;
  interval_s: number;
  target: string;
  source?: 'track' | 'trace';
  tool_version?: string;
  /** The memory limit the target runs under (src/track/memory-limit.ts). */
  mem_limit?: { bytes: number; source: string } | null;
}

/** Handle for appending to one session. */
export class SessionWriter {
  readonly sessionId: number;
  /** Ticks committed so far: what a later storage failure leaves readable. */
  ticksCommitted = 0;
  private readonly db: Db;
  private readonly insertProcess;
  private readonly insertSample;
  private readonly markExited;
  private readonly rename;
  private readonly writeTick;
  private readonly identity: { dev: number; ino: number } | null;

  constructor(db: Db, s: NewSession) {
    this.db = db;
    this.identity = db.memory ? null : fileIdentity(db.name);
    try {
      const info = db
        .prepare(
          `INSERT INTO sessions (label, started_at, interval_s, source, target, host, tool_version, mem_limit_bytes, mem_limit_source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(s.label, new Date().toISOString(), s.interval_s, s.source ?? 'track', s.target, hostname(), s.tool_version ?? null, s.mem_limit?.bytes ?? null, s.mem_limit?.source ?? null);
      this.sessionId = Number(info.lastInsertRowid);
    } catch (e) {
      throw toStorageError(e, `starting a session in database ${db.name}`);
    }
    this.insertProcess = db.prepare(
      `INSERT INTO processes (session_id, pid, ppid, start_ticks, name, cmdline, role, first_seen_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertSample = db.prepare(
      `INSERT OR REPLACE INTO samples (process_id, t_ms, rss, uss, pss, swap, vram, cpu) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.markExited = db.prepare(`UPDATE processes SET exited_ms = ? WHERE id = ?`);
    this.rename = db.prepare(`UPDATE processes SET name = ?, cmdline = ? WHERE id = ?`);
    this.writeTick = db.transaction((rows: { processId: number; sample: Sample }[]) => {
      for (const { processId, sample: s } of rows) {
        this.insertSample.run(processId, s.t_ms, s.rss, s.uss, s.pss, s.swap, s.vram, s.cpu);
      }
    });
  }

  /** Register a process seen for the first time; returns its row id for later samples. */
  addProcess(p: ProcessInfo, firstSeenMs: number): number {
    const role = p.role === 'tree' ? 'child' : p.role;
    return this.guard('recording a process', () =>
      Number(this.insertProcess.run(this.sessionId, p.pid, p.ppid, p.start_ticks, p.name, p.cmdline, role, firstSeenMs).lastInsertRowid),
    );
  }

  /** Commit one tick's samples atomically, after checking the DB file is still the one we opened. */
  appendTick(rows: { processId: number; sample: Sample }[]): void {
    this.checkStillThere();
    if (rows.length > 0) this.guard('writing samples', () => this.writeTick(rows));
    this.ticksCommitted++;
  }

  /** A process that exec'd another program since it was recorded: its name and command line are the new program's. */
  processRenamed(processId: number, name: string, cmdline: string): void {
    this.guard('recording a process exec', () => this.rename.run(name, cmdline, processId));
  }

  processExited(processId: number, atMs: number): void {
    this.guard('recording a process exit', () => this.markExited.run(atMs, processId));
  }

  /** Close the session with why it ended (duration, target-exited, interrupted, terminated, hangup, storage-failed). */
  end(reason: string): void {
    this.guard('closing the session', () =>
      this.db.prepare(`UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ?`).run(new Date().toISOString(), reason, this.sessionId),
    );
  }

  /**
   * The path must still name the file we write: removed (or its directory removed) or replaced, every
   * further sample would go to a file nobody can open. One lstat per tick.
   */
  checkStillThere(): void {
    if (!this.identity) return;
    const now = fileIdentity(this.db.name);
    if (now && now.dev === this.identity.dev && now.ino === this.identity.ino) return;
    throw storageError(
      `database ${this.db.name} was ${now ? 'replaced by another file' : 'removed (or its directory was)'} while tracking; samples written after that would be lost with it`,
    );
  }

  private guard<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw toStorageError(e, `${action} to database ${this.db.name}`);
    }
  }
}
