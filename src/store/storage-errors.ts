// SQLite failures while reading or writing a DB, turned into one clear LeakError. Storage that fails
// under us (disk full, read-only, I/O error, corruption) is exit 4; a file that is not SQLite is exit 2.
import { inputError, LeakError, storageError } from '../errors.js';

const WHY: [RegExp, string][] = [
  [/^SQLITE_FULL/, 'the disk is full'],
  [/^SQLITE_READONLY/, 'the database or its filesystem is read-only'],
  [/^SQLITE_IOERR/, 'an I/O error (the file, its directory or its disk went away)'],
  [/^SQLITE_CORRUPT/, 'the database file is corrupt'],
  [/^SQLITE_CANTOPEN/, 'the file cannot be opened'],
  [/^SQLITE_PERM/, 'permission denied'],
  [/^SQLITE_(BUSY|LOCKED)/, 'another process holds a lock on it for too long'],
];

/** Plain words for a SQLite or errno failure ("the disk is full (SQLITE_FULL)"). */
export function describeStorageFailure(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : '';
  if (c === 'ENOSPC' || c === 'EDQUOT') return `the disk is full (${c})`;
  if (c === 'EROFS' || c === 'EACCES' || c === 'EPERM') return `it cannot be written (${c})`;
  for (const [re, words] of WHY) if (re.test(c)) return `${words} (${c})`;
  return `${(e as Error).message ?? String(e)}${c ? ` (${c})` : ''}`;
}

/** True for the failures of the storage itself, as opposed to bugs in our SQL. */
export function isStorageFailure(e: unknown): boolean {
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && (/^SQLITE_(FULL|READONLY|IOERR|CORRUPT|CANTOPEN|PERM|BUSY|LOCKED|NOTADB)/.test(c) || /^E[A-Z]+$/.test(c));
}

/** Wrap a failure of `action` on `file` ("writing samples to x.db") as a LeakError; LeakErrors and bugs pass through. */
export function toStorageError(e: unknown, action: string, hint = ''): unknown {
  if (e instanceof LeakError || !isStorageFailure(e)) return e;
  const c = String((e as { code?: unknown }).code);
  if (c.startsWith('SQLITE_NOTADB')) return inputError(`${action} failed: it is not a SQLite database (${c})${hint}`, e);
  const salvage = c.startsWith('SQLITE_CORRUPT') ? "; sqlite3's .recover may salvage what is left; pass another --db FILE to record anew" : '';
  return storageError(`${action} failed: ${describeStorageFailure(e)}${hint}${salvage}`, e);
}
