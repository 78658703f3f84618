// The profiles leak-track --explain stored with a session (migration 3) are checked in SQL before they
// are believed, as the samples are (check-samples.ts): a planted `started_ms = 'soon'` or `trigger_rate =
// 'abc'` was "internal error" (exit 70) in leak-report and leak-check, a `pid = 'x'` went into the report
// as is. The stored Profile JSON itself is checked field by field where it is parsed (check-profile-json.ts).
import { inputError } from '../errors.js';
import { escapeControl } from '../text/escape.js';
import type { Db } from './open-db.js';

const SAFE = Number.MAX_SAFE_INTEGER;
/** No real profile is near this; a bigger stored report is refused before it is read into memory. */
const MAX_REPORT_JSON = 64 * 1024 * 1024;
const int = (c: string) => `(typeof(${c}) = 'integer' AND abs(${c}) <= ${SAFE})`;
const rate = (c: string) => `(${c} IS NULL OR ${c} BETWEEN -1e12 AND 1e12)`; // text sorts above numbers: refused too
const textOrNull = (c: string) => `(${c} IS NULL OR typeof(${c}) = 'text')`;

/** Each column with what it must hold (SQL) and, in words, what that is. */
const PROFILE_COLUMNS: [string, string, string][] = [
  ['pid', `(typeof(pid) = 'integer' AND pid >= 0)`, 'a process id'],
  ['process_id', `(process_id IS NULL OR typeof(process_id) = 'integer')`, 'a process row id'],
  ['runtime', textOrNull('runtime'), 'text'],
  ['started_ms', int('started_ms'), 'a time in whole milliseconds'],
  ['ended_ms', `(ended_ms IS NULL OR ${int('ended_ms')})`, 'a time in whole milliseconds'],
  ['status', `status IN ('running', 'done', 'failed', 'interrupted')`, 'running, done, failed or interrupted'],
  ['trigger_rate', rate('trigger_rate'), 'a rate in MB/min'],
  ['trigger_lo', rate('trigger_lo'), 'a rate in MB/min'],
  ['trigger_hi', rate('trigger_hi'), 'a rate in MB/min'],
  ['message', textOrNull('message'), 'text'],
  ['report_json', `(report_json IS NULL OR (typeof(report_json) = 'text' AND length(CAST(report_json AS BLOB)) <= ${MAX_REPORT_JSON}))`, 'Profile JSON text of at most 64 MiB'],
];
const WINDOW_COLUMNS: [string, string, string][] = [
  ['start_ms', int('w.start_ms'), 'a time in whole milliseconds'],
  ['end_ms', int('w.end_ms'), 'a time in whole milliseconds'],
  ['kind', `w.kind IN ('paused', 'inflated')`, 'paused or inflated'],
];

/** The first column of `cols` whose condition fails, as SQL `CASE … END`. */
const firstBad = (cols: [string, string, string][]) => `CASE ${cols.map(([c, ok]) => `WHEN NOT coalesce(${ok}, 0) THEN '${c}'`).join(' ')} END`;

/** Throw an input error (exit 2) naming the DB, session, profile and column of the first bad stored profile value. */
export function checkProfileRows(db: Db, file: string, sessionId: number): void {
  const has = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('profiles', 'profile_windows')`).get() as { n: number };
  if (has.n < 2) return; // a DB from before migration 3 holds no profiles
  const bad = (at: string, id: unknown, table: string, col: string, what: string) => {
    const v = db.prepare(`SELECT substr(CAST(${col} AS TEXT), 1, 40) AS v, typeof(${col}) AS t FROM ${table} WHERE rowid = ?`).get(id) as { v: unknown; t: string };
    return inputError(
      `${file}: session ${sessionId} ${at}: column ${col} holds \`${escapeControl(String(v.v))}\` (${v.t}), not ${what}; ` +
        'the database was altered or damaged, so nothing was reported',
    );
  };
  const p = db.prepare(`SELECT id, ${firstBad(PROFILE_COLUMNS)} AS col FROM profiles WHERE session_id = ? AND col IS NOT NULL LIMIT 1`).get(sessionId) as { id: number; col: string } | undefined;
  if (p) throw bad(`profile ${p.id}`, p.id, 'profiles', p.col, PROFILE_COLUMNS.find(([c]) => c === p.col)![2]);
  const w = db
    .prepare(`SELECT w.rowid AS id, w.profile_id AS pid, ${firstBad(WINDOW_COLUMNS)} AS col FROM profile_windows w JOIN profiles p ON p.id = w.profile_id WHERE p.session_id = ? AND col IS NOT NULL LIMIT 1`)
    .get(sessionId) as { id: number; pid: number; col: string } | undefined;
  if (w) throw bad(`profile ${w.pid} window`, w.id, 'profile_windows', w.col, WINDOW_COLUMNS.find(([c]) => c === w.col)![2]);
}
