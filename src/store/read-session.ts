// Queries that load recorded sessions back as plain data for the analysis.
import { openDbForRead, type Db } from './open-db.js';
import { notFoundError, usageError } from '../errors.js';
import { toStorageError } from './storage-errors.js';
import { checkSessionRows } from './check-samples.js';
import { checkProfileRows } from './check-profiles.js';
import { dbDisplayName } from './db-read-copy.js';
import type { Metric, ProcessInfo, SessionInfo } from '../types.js';
import { MiB } from '../units.js';
import { readProfiles, type StoredProfile } from './profile-store.js';

const METRICS: readonly Metric[] = ['rss', 'uss', 'pss', 'swap', 'vram'];

/**
 * Beyond this many samples per process, a session is read as bucket means on one grid shared by all
 * its processes (so tree totals still line up). The analysis bins onto ≤ 4,000 points anyway, so this
 * loses nothing it uses, and reading a three-day run at 1 s no longer costs ~100 bytes per sample
 * (measured: 465 k samples → 137 MB peak for the report before this).
 */
export const MAX_POINTS_PER_PROCESS = 8000;

/** Exact figures over the raw samples of one metric, kept when the series itself is bucket means. */
export interface RawFigures {
  samples: number;
  min: number | null;
  max: number | null;
  first: number | null;
  last: number | null;
}

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
  /** Present when the series holds bucket means: per metric, the exact figures over raw samples. */
  raw?: Record<Metric, RawFigures>;
}

export interface RecordedSession {
  info: SessionInfo;
  processes: ProcessSeries[];
  /** Width of the buckets the series were averaged into, ms; null when they are the raw samples. */
  bucketMs: number | null;
  /** Ticks in the session (distinct sample times), counted over the raw samples. */
  ticks: number;
  /** Profiles leak-track --explain took while tracking (absent: none, or not a DB session). */
  profiles?: StoredProfile[];
  /** What the reader left out of its input, one line each for stderr (a trace's unterminated last line). */
  notes?: string[];
}

interface SessionRow {
  id: number;
  label: string;
  started_at: string;
  ended_at: string | null;
  end_reason: string | null;
  interval_s: number;
  source: 'track' | 'trace';
  mem_limit_bytes?: number | null; // absent in DBs from before migration 2, opened read-only
  mem_limit_source?: string | null;
}

/** Resolve `latest`, `all` or a numeric id into session ids, oldest first. */
export function resolveSessionIds(db: Db, which: string | number | undefined): number[] {
  return guardRead(db, () => resolveIds(db, which));
}

/** Load one session with all its processes and samples (bucket means past MAX_POINTS_PER_PROCESS). */
export function readSession(db: Db, id: number, maxPointsPerProcess = MAX_POINTS_PER_PROCESS): RecordedSession {
  return guardRead(db, () => readOneSession(db, id, maxPointsPerProcess));
}

/** A DB that fails under the read (corrupt, I/O error) is a storage error (exit 4), not a bug. */
function guardRead<T>(db: Db, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toStorageError(e, `reading database ${dbDisplayName(db)}`);
  }
}

function resolveIds(db: Db, which: string | number | undefined): number[] {
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

function readOneSession(db: Db, id: number, maxPointsPerProcess: number): RecordedSession {
  const s = db.prepare(`SELECT * FROM sessions WHERE id = ?`).get(id) as SessionRow | undefined;
  if (!s) throw notFoundError(`no session ${id} in this database`);
  checkSessionRows(db, dbDisplayName(db), id); // every value typed and bounded before the analysis sees it
  checkProfileRows(db, dbDisplayName(db), id);
  const procRows = db
    .prepare(`SELECT id, pid, ppid, start_ticks, name, cmdline, role FROM processes WHERE session_id = ? ORDER BY id`)
    .all(id) as (ProcessInfo & { id: number })[];
  const span = db
    .prepare(
      `SELECT min(t_ms) AS t0, max(t_ms) AS t1, count(DISTINCT t_ms) AS ticks,
              (SELECT max(n) FROM (SELECT count(*) AS n FROM samples JOIN processes p ON p.id = process_id WHERE p.session_id = :id GROUP BY process_id)) AS most
       FROM samples JOIN processes p ON p.id = process_id WHERE p.session_id = :id`,
    )
    .get({ id }) as { t0: number | null; t1: number | null; ticks: number; most: number | null };
  const bucketMs = span.most !== null && span.most > maxPointsPerProcess ? Math.ceil((span.t1! - span.t0! + 1) / maxPointsPerProcess) : null;
  const read = bucketMs === null ? rawReader(db) : bucketReader(db, span.t0!, bucketMs);
  const processes: ProcessSeries[] = procRows.map((p) => {
    const series: ProcessSeries = {
      info: { pid: p.pid, ppid: p.ppid, start_ticks: p.start_ticks, name: p.name, cmdline: p.cmdline, role: p.role },
      rowId: p.id,
      t_ms: [], rss: [], uss: [], pss: [], swap: [], vram: [], cpu: [],
    };
    read(series);
    return series;
  });
  return {
    info: {
      id: s.id, label: s.label, started_at: s.started_at, interval_s: s.interval_s, source: s.source,
      ended_at: s.ended_at, end_reason: s.end_reason,
      ...(s.mem_limit_bytes ? { mem_limit_mb: Math.round((s.mem_limit_bytes / MiB) * 10) / 10, mem_limit_source: s.mem_limit_source ?? 'unknown' } : {}),
    },
    processes,
    bucketMs,
    ticks: span.ticks,
    ...withProfiles(readProfiles(db, id)),
  };
}

const withProfiles = (profiles: StoredProfile[]) => (profiles.length ? { profiles } : {});

/** Append one row [t, rss, uss, pss, swap, vram, cpu] to a series. */
function append(series: ProcessSeries, t: number, r: (number | null)[]): void {
  series.t_ms.push(t);
  series.rss.push(r[1]!);
  series.uss.push(r[2]!);
  series.pss.push(r[3]!);
  series.swap.push(r[4]!);
  series.vram.push(r[5]!);
  series.cpu.push(r[6]!);
}

/** Every sample as recorded; raw(): arrays, not an object per row. Statements prepared once per session. */
function rawReader(db: Db): (series: ProcessSeries) => void {
  const rows = db.prepare(`SELECT t_ms, rss, uss, pss, swap, vram, cpu FROM samples WHERE process_id = ? ORDER BY t_ms`).raw();
  return (series) => {
    for (const r of rows.iterate(series.rowId) as Iterable<(number | null)[]>) append(series, r[0]!, r);
  };
}

/** Bucket means on the session's grid (t = bucket centre, the same for every process), plus exact figures. */
function bucketReader(db: Db, t0: number, bucketMs: number): (series: ProcessSeries) => void {
  const buckets = db
    .prepare(
      `SELECT CAST((t_ms - ?) / ? AS INTEGER) AS b, avg(rss), avg(uss), avg(pss), avg(swap), avg(vram), avg(cpu)
       FROM samples WHERE process_id = ? GROUP BY b ORDER BY b`,
    )
    .raw();
  const aggregates = db.prepare(`SELECT ${METRICS.map((m) => `count(${m}), min(${m}), max(${m})`).join(', ')} FROM samples WHERE process_id = ?`).raw();
  const edge = (m: Metric, order: 'ASC' | 'DESC') =>
    db.prepare(`SELECT ${m} FROM samples WHERE process_id = ? AND ${m} IS NOT NULL ORDER BY t_ms ${order} LIMIT 1`).pluck();
  const firsts = METRICS.map((m) => edge(m, 'ASC'));
  const lasts = METRICS.map((m) => edge(m, 'DESC'));
  return (series) => {
    for (const r of buckets.iterate(t0, bucketMs, series.rowId) as Iterable<(number | null)[]>) append(series, t0 + r[0]! * bucketMs + bucketMs / 2, r);
    const agg = aggregates.get(series.rowId) as (number | null)[];
    const raw = {} as Record<Metric, RawFigures>;
    METRICS.forEach((m, i) => {
      raw[m] = {
        samples: agg[3 * i]!, min: agg[3 * i + 1]!, max: agg[3 * i + 2]!,
        first: (firsts[i]!.get(series.rowId) as number | undefined) ?? null,
        last: (lasts[i]!.get(series.rowId) as number | undefined) ?? null,
      };
    });
    series.raw = raw;
  };
}

/** Open a leak-track DB read-only and read the sessions `which` names (id, latest, all), oldest first. */
export function readSessionsFromFile(file: string, which: string | number | undefined): RecordedSession[] {
  const db = openDbForRead(file);
  try {
    return resolveSessionIds(db, which).map((id) => readSession(db, id));
  } finally {
    db.close();
  }
}
