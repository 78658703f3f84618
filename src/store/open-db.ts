// Opening a leak-track DB safely: refuse anything that is not ours (or is newer than us) before
// touching it, create new files 0600, then WAL + busy_timeout so trackers can share one file.
import Database from 'better-sqlite3';
import path from 'node:path';
import { inputError, LeakError, notFoundError, storageError, usageError } from '../errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { checkSchemaObjects } from './check-schema.js';
import { checkDbPathForWrite, createDbPrivately, precreateWalFiles } from './db-files.js';
import { checkDbPathForRead, isDirectoryTrusted, openPrivateCopy } from './db-read-copy.js';
import { describeStorageFailure, isStorageFailure, toStorageError } from './storage-errors.js';

export type Db = Database.Database;

/** Default DB path: $LEAK_TRACK_DB or ./leak-track.db. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.LEAK_TRACK_DB && env.LEAK_TRACK_DB.length > 0 ? env.LEAK_TRACK_DB : 'leak-track.db';
}

/**
 * Open (creating if needed) a DB for writing samples. The path and its -wal/-shm/-journal siblings are
 * checked first (db-files.ts): no symlink, no other user's file, no directory another user can change.
 */
export function openDbForWrite(file: string): Db {
  const first = checkDbPathForWrite(file);
  let dest = first.dest;
  if (!first.exists) {
    try {
      // false: another tracker created it first; it is checked below like any existing DB.
      createDbPrivately(dest, (db) => {
        db.pragma('journal_mode = WAL');
        migrate(db);
      });
    } catch (e) {
      throw toStorageError(e, `creating database ${file}`);
    }
    ({ dest } = checkDbPathForWrite(file)); // re-check what is there now, ours or a racing tracker's
  }
  try {
    precreateWalFiles(dest, file);
  } catch (e) {
    // A refusal (a planted -wal) stands; failing to create -wal/-shm means we cannot write there.
    if (e instanceof LeakError && /refusing/.test(e.message)) throw e;
    const cause = e instanceof LeakError ? e.cause : e;
    throw storageError(`cannot write beside database ${file}: ${describeStorageFailure(cause)}; pass a --db FILE in a writable directory`, e);
  }
  const db = openRaw(dest, false);
  try {
    db.pragma('busy_timeout = 5000'); // first: trackers sharing a file wait for each other's locks
    checkOwnership(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL'); // WAL + NORMAL: a killed tracker loses nothing committed
    db.pragma('foreign_keys = ON');
    // better-sqlite3 builds SQLite with a 16 MB page cache; a tracker only appends, one leaf page per
    // process per tick, and measured, that cache filled at the DB's growth rate (0.6 MB/min at 50
    // processes every 0.2 s): the tracker looked like it leaked. 1 MiB holds the hot leaves.
    db.pragma('cache_size = -1024');
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof LeakError) throw e;
    throw toStorageError(e, `opening database ${file} for writing`, '; pass a --db FILE on a writable disk');
  }
}

/**
 * Open an existing DB for reading; never creates or modifies it. Where SQLite cannot open it in place
 * (read-only media without its -shm, a directory another user can change), it reads a private copy.
 */
export function openDbForRead(file: string): Db {
  const st = checkDbPathForRead(file);
  if (!st) throw notFoundError(`no database at ${file}; record one with leak-track or pass --db FILE`);
  let db: Db;
  if (isDirectoryTrusted(path.dirname(path.resolve(file)))) {
    let opened: Db | null = null;
    try {
      opened = openRaw(file, true);
      opened.pragma('busy_timeout = 5000');
      opened.prepare('SELECT count(*) FROM sqlite_master').get(); // forces the WAL/-shm open
      db = opened;
    } catch (e) {
      opened?.close();
      // Only "cannot open here" (read-only media, no -shm) is worth a copy; corruption is not.
      const code = String((e as { code?: string }).code);
      const cannotOpen = (isStorageFailure(e) || (e instanceof LeakError && e.code === 'storage')) && !/NOTADB|CORRUPT/.test(code) && !/corrupt/.test((e as Error).message);
      if (!cannotOpen) throw toStorageError(e, `reading database ${file}`);
      db = openPrivateCopy(file);
    }
  } else {
    db = openPrivateCopy(file);
  }
  try {
    checkOwnership(db, file);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function openRaw(file: string, readonly: boolean): Db {
  try {
    return new Database(file, { readonly, fileMustExist: true });
  } catch (e) {
    if (isStorageFailure(e)) throw toStorageError(e, `opening database ${file}`);
    const msg = (e as Error).message;
    throw (readonly ? inputError : usageError)(`cannot open database ${file}: ${msg}`, e);
  }
}

/** Refuse foreign or newer DBs, before any write. A fresh empty file becomes ours. */
function checkOwnership(db: Db, file: string): void {
  let appId: number;
  let version: number;
  let tables: number;
  try {
    appId = db.pragma('application_id', { simple: true }) as number;
    version = db.pragma('user_version', { simple: true }) as number;
    tables = (db.prepare(`SELECT count(*) AS n FROM sqlite_master`).get() as { n: number }).n;
  } catch (e) {
    if (/CORRUPT/.test(String((e as { code?: string }).code))) throw toStorageError(e, `reading database ${file}`);
    throw inputError(`${file} is not a leak-track database (${(e as Error).message}); pass another --db FILE`, e);
  }
  if (appId === 0 && tables === 0 && version === 0) {
    if (db.readonly) throw inputError(`${file} is an empty database with no sessions; record one with leak-track`);
    return; // empty SQLite file (or the one we just created): ours to initialise
  }
  if (appId !== APPLICATION_ID) {
    throw inputError(`${file} is a SQLite database but not a leak-track one; it was left untouched; pass another --db FILE`);
  }
  if (version > SCHEMA_VERSION) {
    throw new LeakError(
      'input',
      `${file} has schema version ${version}, newer than this leak-detective understands (${SCHEMA_VERSION}); upgrade leak-detective`,
    );
  }
  // Views, triggers and foreign columns are refused before any query touches them (check-schema.ts).
  try {
    checkSchemaObjects(db, file, version);
  } catch (e) {
    if (e instanceof LeakError) throw e;
    throw toStorageError(e, `reading database ${file}`);
  }
}

/**
 * Apply pending migrations. Each runs in an IMMEDIATE transaction that re-reads user_version under
 * the write lock, so two trackers creating the same new DB at once do not both apply it.
 */
function migrate(db: Db): void {
  for (;;) {
    const applied = db.transaction(() => {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v >= MIGRATIONS.length) return false;
      db.exec(MIGRATIONS[v]!);
      if (v === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${v + 1}`);
      return true;
    }).immediate();
    if (!applied) return;
  }
}
