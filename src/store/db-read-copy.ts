// Reading a DB that SQLite cannot (or must not) open in place. SQLite writes a -shm file beside a WAL
// database even to read it; on read-only media it cannot, and in a directory another user can change it
// might be steered through a planted symlink. There we copy the DB and its WAL (opened O_NOFOLLOW) into
// a private temp directory and read the copy, so committed samples still in the WAL are read too.
import Database from 'better-sqlite3';
import { lstatSync, rmSync, type Stats } from 'node:fs';
import path from 'node:path';
import { inputError, LeakError } from '../errors.js';
import { assertTrustedDirectory, copyFileExclusive, makePrivateDir } from '../safe-files.js';
import { DB_SIBLINGS } from './db-files.js';
import { toStorageError } from './storage-errors.js';

/** lstat of a DB to read (null when absent); refuses a symlink or non-regular DB or sibling. */
export function checkDbPathForRead(file: string): Stats | null {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch {
    return null;
  }
  for (const [f, s] of [[file, st] as const, ...DB_SIBLINGS.map((x) => [file + x, lstatOrNull(file + x)] as const)]) {
    if (!s) continue;
    if (s.isSymbolicLink()) throw inputError(`refusing ${f}: it is a symbolic link (never followed); pass the real path with --db`);
    if (!s.isFile()) throw inputError(`refusing ${f}: not a regular file; pass --db FILE`);
  }
  return st;
}

function lstatOrNull(f: string): Stats | null {
  try {
    return lstatSync(f);
  } catch {
    return null;
  }
}

/** True when only root or we can change `dir` (see safe-files.ts). */
export function isDirectoryTrusted(dir: string): boolean {
  try {
    assertTrustedDirectory(dir, dir);
    return true;
  } catch {
    return false;
  }
}

/** The path the user named, for a handle opened on a private copy (messages name that, not the copy). */
const shownNames = new WeakMap<Database.Database, string>();
export const dbDisplayName = (db: Database.Database): string => shownNames.get(db) ?? db.name;

/** Open a read-only private copy of `file` (and its -wal); the copy is removed when the handle closes. */
export function openPrivateCopy(file: string): Database.Database {
  let priv: string;
  try {
    priv = makePrivateDir('leak-report-', `reading ${file}`);
  } catch (e) {
    if (e instanceof LeakError) throw e; // an untrusted TMPDIR: refused (exit 2)
    throw toStorageError(e, `making a private copy of ${file} to read (it cannot be read in place)`);
  }
  const remove = () => rmSync(priv, { recursive: true, force: true });
  process.once('exit', remove);
  try {
    const copy = path.join(priv, 'copy.db');
    copyFileExclusive(file, copy, `copy of ${file}`);
    if (lstatOrNull(`${file}-wal`)) copyFileExclusive(`${file}-wal`, `${copy}-wal`, `copy of ${file}-wal`);
    const db = new Database(copy, { readonly: true, fileMustExist: true });
    shownNames.set(db, file);
    const close = db.close.bind(db);
    db.close = () => {
      const r = close();
      remove();
      return r;
    };
    return db;
  } catch (e) {
    remove();
    throw toStorageError(e, `reading database ${file} through a private copy`);
  }
}
