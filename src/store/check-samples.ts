// The rows of a session are checked in SQL before they are believed. SQLite keeps whatever a writer
// put in a column (`uss = 'lots'`, a REAL infinity from `1e400`, a negative size); read as is, such a
// value became NaN in the analysis and then "Reduce of empty array" (exit 70, a bug) or, worse, a
// plausible verdict. One scan with typeof() and bounds finds the first bad cell and names it.
import { inputError } from '../errors.js';
import { escapeControl } from '../text/escape.js';
import type { Db } from './open-db.js';

/** No process has a petabyte (as trace-rows.ts): a bigger size is corruption, not memory. */
const MAX_BYTES = 2 ** 50;
/** CPU % is at most 100 per core; a million covers any machine. */
const MAX_CPU = 1e6;
const SIZES = ['rss', 'uss', 'pss', 'swap', 'vram'] as const;

// In SQLite every TEXT sorts above every number and every BLOB above every TEXT, so a range test alone
// refuses text and blobs as well as out-of-range numbers (and NaN is stored as NULL): no typeof() per cell
// in the scan (1 M samples on the loaded test box: 2.0-2.9 s with typeof(), 0.8-1.3 s without; a full
// readSession of them takes 5-9 s).
const okSize = (c: string) => `(${c} IS NULL OR ${c} BETWEEN 0 AND ${MAX_BYTES})`;
const okCpu = `(cpu IS NULL OR cpu BETWEEN 0 AND ${MAX_CPU})`;
const okTime = `(typeof(t_ms) = 'integer' AND abs(t_ms) <= ${Number.MAX_SAFE_INTEGER})`;

/** What a bad cell holds, shown escaped and short. */
function shown(v: unknown, type: string): string {
  const s = typeof v === 'number' ? String(v) : Buffer.isBuffer(v) ? `${v.length} bytes` : String(v);
  return `\`${escapeControl(s.slice(0, 40))}\` (${type})`;
}

/** A time as leak-track writes it (Date.toISOString(); seconds-only and offsets also read): ISO 8601, a real date. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
function isIsoTime(v: unknown): boolean {
  if (typeof v !== 'string' || !ISO_TIME.test(v) || !Number.isFinite(Date.parse(v))) return false;
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d)); // Date.parse rolls 2026-02-30 over to March 2
  return day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** SQLite's name for the type of a value read back. */
function typeOf(v: unknown): string {
  return typeof v === 'string' ? 'text' : Buffer.isBuffer(v) ? 'blob' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'real') : typeof v;
}

/**
 * Throw an input error (exit 2) naming the DB, session, pid and column of the first value that is
 * not what leak-track writes: sessions and processes fields of the wrong type, sample sizes that are
 * not numbers in [0, 1 PiB], CPU outside [0, 1e6] %, times that are not whole milliseconds.
 */
export function checkSessionRows(db: Db, file: string, sessionId: number): void {
  const bad = (where: string, column: string, v: unknown, type: string, what: string) =>
    inputError(`${file}: session ${sessionId}${where}: column ${column} holds ${shown(v, type)}, not ${what}; the database was altered or damaged, so nothing was reported`);
  const s = db
    .prepare(`SELECT typeof(label) AS l, started_at AS sv, typeof(started_at) AS st, ended_at AS ev, typeof(ended_at) AS et, interval_s AS i, typeof(interval_s) AS it, source FROM sessions WHERE id = ?`)
    .get(sessionId) as { l: string; sv: unknown; st: string; ev: unknown; et: string; i: unknown; it: string; source: unknown } | undefined;
  if (!s) return; // the caller reports the missing session
  if (s.l !== 'text') throw bad('', 'label', '…', s.l, 'text');
  // Times are ISO 8601 in UTC as leak-track writes them (`2026-12-07T21:30:00.000Z`): text that is not
  // one was shown as is, and read as a time it became "Invalid Date" or NaN.
  if (!isIsoTime(s.sv)) throw bad('', 'started_at', s.sv, s.st, 'an ISO 8601 time such as 2026-12-07T21:30:00.000Z');
  if (s.ev !== null && !isIsoTime(s.ev)) throw bad('', 'ended_at', s.ev, s.et, 'an ISO 8601 time such as 2026-12-07T21:30:00.000Z, or NULL');
  if (!(s.it === 'integer' || s.it === 'real') || !((s.i as number) >= 0 && (s.i as number) < 1e9)) throw bad('', 'interval_s', s.i, s.it, 'a number of seconds');
  if (s.source !== 'track' && s.source !== 'trace') throw bad('', 'source', s.source, typeof s.source, 'track or trace');
  // The memory limit (migration 2; absent in older DBs): a negative, infinite or text one became a
  // negative or null `mem_limit_mb` in the report, with no word.
  const lim = db.prepare(`SELECT * FROM sessions WHERE id = ?`).get(sessionId) as { mem_limit_bytes?: unknown; mem_limit_source?: unknown };
  const mb = lim.mem_limit_bytes;
  if (mb !== undefined && mb !== null && !(typeof mb === 'number' && Number.isInteger(mb) && mb >= 0 && mb <= MAX_BYTES)) {
    throw bad('', 'mem_limit_bytes', mb, typeOf(mb), 'a size in bytes in [0, 1 PiB]');
  }
  const src = lim.mem_limit_source;
  if (src !== undefined && src !== null && typeof src !== 'string') throw bad('', 'mem_limit_source', src, typeOf(src), 'text');
  const p = db
    .prepare(
      `SELECT id, pid, typeof(pid) AS tp, typeof(ppid) AS tpp, typeof(start_ticks) AS tst, typeof(name) AS tn, typeof(cmdline) AS tc, role
       FROM processes WHERE session_id = ? AND NOT (typeof(pid) = 'integer' AND pid >= 0 AND typeof(ppid) = 'integer'
         AND typeof(start_ticks) = 'integer' AND typeof(name) = 'text' AND typeof(cmdline) = 'text' AND role IN ('main', 'child')) LIMIT 1`,
    )
    .get(sessionId) as Record<string, unknown> | undefined;
  if (p) {
    const at = ` (process row ${String(p.id)})`;
    if (p.tp !== 'integer' || (p.pid as number) < 0) throw bad(at, 'pid', p.pid, String(p.tp), 'a process id');
    for (const [col, t, want] of [['ppid', p.tpp, 'integer'], ['start_ticks', p.tst, 'integer'], ['name', p.tn, 'text'], ['cmdline', p.tc, 'text']] as const) {
      if (t !== want) throw bad(` pid ${String(p.pid)}`, col, '…', String(t), want === 'text' ? 'text' : 'a whole number');
    }
    throw bad(` pid ${String(p.pid)}`, 'role', p.role, typeof p.role, 'main or child');
  }
  const cols = [...SIZES, 'cpu', 't_ms'];
  const r = db
    .prepare(
      `SELECT p.pid, ${cols.map((c) => `s.${c}, typeof(s.${c})`).join(', ')}
       FROM samples s JOIN processes p ON p.id = s.process_id
       WHERE p.session_id = ? AND NOT (${SIZES.map((c) => okSize(`s.${c}`)).join(' AND ')} AND ${okCpu.replace(/cpu/g, 's.cpu')} AND ${okTime.replace(/t_ms/g, 's.t_ms')})
       LIMIT 1`,
    )
    .raw()
    .get(sessionId) as unknown[] | undefined;
  if (!r) return;
  const pid = String(r[0]);
  cols.forEach((c, i) => {
    const v = r[1 + 2 * i];
    const t = String(r[2 + 2 * i]);
    const num = (t === 'integer' || t === 'real') && typeof v === 'number' && Number.isFinite(v);
    if (c === 't_ms') {
      if (t !== 'integer' || !num || Math.abs(v) > Number.MAX_SAFE_INTEGER) throw bad(` pid ${pid}`, c, v, t, 'a time in whole milliseconds');
    } else if (v !== null) {
      const max = c === 'cpu' ? MAX_CPU : MAX_BYTES;
      if (!num || v < 0 || v > max) throw bad(` pid ${pid}`, c, v, t, c === 'cpu' ? 'a CPU % in [0, 1e6]' : 'a size in bytes in [0, 1 PiB]');
    }
  });
}
