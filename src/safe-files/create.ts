// Files we reuse or create: an existing one must be our regular file with one link, reached without
// a symlink; a new one is created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW), mode 0600 unless a documented
// mode is asked for. Refusals are usage errors (exit 2); a create that fails for lack of room or a
// failing device is a storage error (exit 4).
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { inputError, storageError, usageError } from '../errors.js';
import { assertNotPseudo, assertTrustedDirectory, assertWritableDirectory, myUid, ownerOk } from './trusted-dir.js';
import { openNoFollow } from './read.js';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_CLOEXEC = (constants as Record<string, number>).O_CLOEXEC ?? 0;
const STORAGE_CODES = new Set(['ENOSPC', 'EROFS', 'EDQUOT', 'EIO', 'EFBIG']);

/** True for errno codes that mean the storage failed (exit 4), not the path (exit 2). */
export const isStorageCode = (code: string | undefined): boolean => code !== undefined && STORAGE_CODES.has(code);

/**
 * Check an existing path we are about to reuse; returns its lstat, or null when nothing is there.
 * Refuses symlinks (whoever owns them), non-regular files, files of another user and files with other
 * hard links.
 */
export function checkExistingFile(file: string, what: string): Stats | null {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw usageError(`${what}: cannot inspect ${file} (${(e as NodeJS.ErrnoException).code}); pick another path`, e);
  }
  if (st.isSymbolicLink()) throw usageError(`${what}: refusing ${file}: it is a symbolic link (never followed); remove it or pick another path`);
  if (st.isDirectory()) throw usageError(`${what}: ${file} is a directory; give a file path`);
  if (!st.isFile()) throw usageError(`${what}: refusing ${file}: not a regular file; pick another path`);
  if (!ownerOk(st.uid)) throw usageError(`${what}: refusing ${file}: it belongs to uid ${st.uid}, not to uid ${myUid()} running leak-detective; remove it or pick another path`);
  if (st.nlink > 1) throw usageError(`${what}: refusing ${file}: it has ${st.nlink} hard links (another name could point at it); pick another path`);
  return st;
}

/** Create a new file exclusively, never through a symlink; returns the open descriptor (write-only). */
export function createFileExclusive(file: string, what: string, mode = 0o600): number {
  try {
    return openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ELOOP') {
      // Name the planted thing when we can (a link, another user's file); otherwise say it appeared.
      checkExistingFile(file, what);
      throw usageError(`${what}: ${file} appeared while it was being created; pick another path`, e);
    }
    if (isStorageCode(code)) throw storageError(`${what}: cannot create ${file}: ${code}`, e);
    throw usageError(`${what}: cannot create ${file} (${code ?? (e as Error).message}); pick a writable path`, e);
  }
}

/**
 * Validate an output path before the work that produces it: an existing trusted, writable directory,
 * not a pseudo-filesystem, and no symlink, directory or other user's file at the destination. Returns
 * the absolute path (real directory + base name) to write.
 */
export function checkOutputPath(file: string, what: string): string {
  if (file === '') throw usageError(`${what} needs a file path`);
  const abs = path.resolve(file);
  if (file.endsWith('/')) throw usageError(`${what}: ${file} names a directory; give a file path`);
  assertNotPseudo(abs, what);
  const dir = assertTrustedDirectory(path.dirname(abs), what);
  const dest = path.join(dir, path.basename(abs));
  checkExistingFile(dest, what);
  assertWritableDirectory(dir, what);
  return dest;
}

/** Copy a regular file (opened O_NOFOLLOW) to a new file created exclusively (see createFileExclusive). */
export function copyFileExclusive(src: string, dst: string, what: string, mode = 0o600): void {
  const inFd = openNoFollow(src, what);
  try {
    const st = fstatSync(inFd);
    if (!st.isFile()) throw inputError(`${what}: refusing ${src}: not a regular file`);
    const outFd = createFileExclusive(dst, what, mode);
    try {
      const buf = Buffer.alloc(1 << 20);
      // No further than the size when opened: a file another user appends to forever cannot fill our disk.
      for (let n, left = st.size; left > 0 && (n = readSync(inFd, buf, 0, Math.min(buf.length, left), null)) > 0; left -= n) {
        for (let off = 0; off < n; ) off += writeSync(outFd, buf, off, n - off);
      }
      fsyncSync(outFd);
    } finally {
      closeSync(outFd);
    }
  } finally {
    closeSync(inFd);
  }
}
