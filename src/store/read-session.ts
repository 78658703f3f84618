// Queries that load recorded sessions back as plain data for the analysis.
import type { Db } from './open-db.js';
import { notFoundError, usageError } from '../errors.js';
import type { ProcessInfo, SessionInfo } from '../types.js';

/** A process's recorded series: parallel arrays in tick order. Sizes in bytes, null where not read. */
export interface ProcessSeries {
  info: ProcessInfo;
  rowId: number;
  t_ms: number[];
  rss: (number | null)[];
  uss: (number | null)[];
  pss: (number | null)[];
  swap: (number | null)[];
  vram: (number | null)[];
  cpu: (number | null)[];
}

export interface RecordedSession {
  info: SessionInfo;
  processes: ProcessSeries[];
}

interface SessionRow {
  id: number;
  label: string;
  started_at: string;
  ended_at: string | null;
  end_reason: string | null;
  interval_s: number;
  source: 'track' | 'trace';
}

/** Resolve `latest`, `all` or a numeric id into session ids, oldest first. */
export function resolveSessionIds(db: Db, which: string | number | undefined): number[] {
  const spec = which === undefined ? 'latest' : String(which);
  if (spec === 'all') {
    const ids = (db.prepare(`SELECT id FROM sessions ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
    if (ids.length === 0) throw notFoundError('the database has no sessions yet; record one with leak-track');
    return ids;
  }
  if (spec === 'latest') {
    const row = db.prepare(`SELECT max(id) AS id FROM sessions`).get() as { id: number | null };
    if (row.id === null) throw notFoundError('the database has no sessions yet; record one with leak-track');
    return [row.id];
  }
  if (!/^\d+$/.test(spec)) throw usageError(`--session must be a session id, latest or all, got \`${spec}\``);
  const id = Number(spec);
  if (!db.prepare(`SELECT 1 FROM sessions WHERE id = ?`).get(id)) {
    const known = (db.prepare(`SELECT id FROM sessions ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
    throw notFoundError(`no session ${id} in this database (sessions: ${known.join(', ') || 'none'})`);
  }
  return [id];
}

/** Load one session with all its processes and samples. */
export function readSession(db: Db, id: number): RecordedSession {
  const s = db.prepare(`SELECT * FROM sessions WHERE id = ?`).get(id) as SessionRow | undefined;
  if (!s) throw notFoundError(`no session ${id} in this database`);
  const procRows = db
    .prepare(`SELECT id, pid, ppid, start_ticks, name, cmdline, role FROM processes WHERE session_id = ? ORDER BY id`)
    .all(id) as (ProcessInfo & { id: number })[];
  const sampleStmt = db.prepare(
    `SELECT t_ms, rss, uss, pss, swap, vram, cpu FROM samples WHERE process_id = ? ORDER BY t_ms`,
  );
  const processes: ProcessSeries[] = procRows.map((p) => {
    const series: ProcessSeries = {
      info: { pid: p.pid, ppid: p.ppid, start_ticks: p.start_ticks, name: p.name, cmdline: p.cmdline, role: p.role },
      rowId: p.id,
      t_ms: [], rss: [], uss: [], pss: [], swap: [], vram: [], cpu: [],
    };
    for (const r of sampleStmt.iterate(p.id) as Iterable<Record<string, number | null>>) {
      series.t_ms.push(r.t_ms as number);
      series.rss.push(r.rss!);
      series.uss.push(r.uss!);
      series.pss.push(r.pss!);
      series.swap.push(r.swap!);
      series.vram.push(r.vram!);
      series.cpu.push(r.cpu!);
    }
    return series;
  });
  return {
    info: {
      id: s.id, label: s.label, started_at: s.started_at, interval_s: s.interval_s, source: s.source,
      ended_at: s.ended_at, end_reason: s.end_reason,
    },
    processes,
  };
}
