// Where a DB for writing may live, and how its files come to exist without following anything another
// user planted. SQLite opens paths itself (no O_NOFOLLOW), so before it does: the directory must be
// one only root or we can change (see safe-files.ts), the DB and its -wal/-shm/-journal siblings must
// be our regular files or absent, a new DB is built in a private directory and linked into place
// (link(2) fails on an existing name and never follows one), and -wal/-shm are made exclusively so
// SQLite only ever opens files we created.
import Database from 'better-sqlite3';
import { closeSync, chmodSync, linkSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';

import { assertNotPseudo, assertTrustedDirectory, checkExistingFile, copyFileExclusive, createFileExclusive } from '../safe-files.js';

export const DB_SIBLINGS = ['-wal', '-shm', '-journal'] as const;

/** Check a DB path for writing; returns the path to open (real directory + base name) and whether it exists. */
export function checkDbPathForWrite(file: string): { dest: string; exists: boolean } {
  const what = `database ${file}`;
  const abs = path.resolve(file);
  assertNotPseudo(abs, what);
  const dir = assertTrustedDirectory(path.dirname(abs), what);
  const dest = path.join(dir, path.basename(abs));
  waitOutRacingCreator(dest);
  const st = checkExistingFile(dest, what);
  for (const s of DB_SIBLINGS) checkExistingFile(dest + s, `${what}${s}`);
  return { dest, exists: st !== null };
}

/**
 * A tracker that creates the DB links it into place from its private directory and then removes that
 * directory: for that instant the DB has two links, and a second tracker starting at the same moment
 * would refuse it as a planted hard link. A second link that goes away within two seconds was such a
 * creator's; one that stays is refused by checkExistingFile as before.
 */
function waitOutRacingCreator(dest: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 100; i++) {
    const st = lstatSync(dest, { throwIfNoEntry: false });
    if (!st || !st.isFile() || st.nlink < 2) return;
    Atomics.wait(pause, 0, 0, 20);
  }
}

/**
 * Build a new DB in a private directory beside `dest` and link it into place. Returns false when another
 * process created `dest` first (then it is checked and opened like any existing DB).
 */
export function createDbPrivately(dest: string, init: (db: Database.Database) => void): boolean {
  const priv = mkdtempSync(path.join(path.dirname(dest), '.leak-track-new-'));
  try {
    const tmp = path.join(priv, 'new.db');
    const db = new Database(tmp);
    try {
      init(db);
    } finally {
      db.close();
    }
    chmodSync(tmp, 0o600);
    try {
      linkSync(tmp, dest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
      // A filesystem without hard links (vfat, some network mounts): copy into a file made exclusively.
      try {
        copyFileExclusive(tmp, dest, `database ${dest}`);
      } catch (c) {
        if (lstatSync(dest, { throwIfNoEntry: false })) return false; // another tracker's, checked next
        throw c;
      }
    }
    return true;
  } finally {
    rmSync(priv, { recursive: true, force: true });
  }
}

/** Create the DB's -wal and -shm exclusively (0600) where absent, so SQLite opens ours, never a planted one. */
export function precreateWalFiles(dest: string, file: string): void {
  for (const s of ['-wal', '-shm']) {
    const what = `database ${file}${s}`;
    if (checkExistingFile(dest + s, what)) continue;
    try {
      closeSync(createFileExclusive(dest + s, what));
    } catch (e) {
      // Another tracker opening the same DB may have just made it: fine if it is ours.
      if (!checkExistingFile(dest + s, what)) throw e;
    }
  }
}

/** Identity of a DB file, to notice it being removed or replaced while we write. */
export function fileIdentity(file: string): { dev: number; ino: number } | null {
  try {
    const st = lstatSync(file);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

