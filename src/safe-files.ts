// Files written or read by a privileged leak-detective in places another local user may reach.
//
// The rules (what sudo, OpenSSH's StrictModes and systemd-tmpfiles do):
//   - a directory we write in is trusted only if every directory on its real path is owned by root or
//     by us and is not writable by group or others, unless it is sticky (like /tmp, where others cannot
//     rename or remove our files);
//   - a file we reuse must be a regular file, ours, with one link, reached without a symlink;
//   - a file we make is created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW), mode 0600;
//   - an output replaces its destination only by rename(2) of such a file, which never follows a link;
//   - a file we read is opened O_NOFOLLOW, checked (regular, owner) on the open descriptor, size-capped.
// Refusals are usage errors (exit 2) that name the path, the reason, and what to do instead; a write
// that fails on the way (disk full, read-only) is a storage error (exit 4).
import {
  closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readSync, realpathSync, renameSync, statfsSync,
  unlinkSync, writeSync, type Stats,
} from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inputError, storageError, usageError } from './errors.js';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_CLOEXEC = (constants as Record<string, number>).O_CLOEXEC ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
/** Pseudo-filesystems that are never a place for results (writing there spins, fails or does harm). */
const PSEUDO_FS_MAGIC = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x1cd1 /* devpts */, 0x63677270 /* cgroup2 */, 0x27e0eb /* cgroup */]);
const PSEUDO_DIRS = ['/proc', '/sys', '/dev'];

const myUid = (): number => (typeof process.geteuid === 'function' ? process.geteuid() : -1);
const ownerOk = (uid: number): boolean => myUid() === -1 || uid === myUid();

/**
 * Throw unless `dir` is a directory only root or this user can change (sticky world-writable ones like
 * /tmp included). `what` names the flag or file in the message, e.g. "--db leak-track.db".
 */
export function assertTrustedDirectory(dir: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (e) {
    throw usageError(`${what}: directory ${dir} does not exist (${(e as NodeJS.ErrnoException).code}); create it or pick another path`, e);
  }
  const st = lstatSync(real);
  if (!st.isDirectory()) throw usageError(`${what}: ${dir} is not a directory; pick a path in an existing directory`);
  if (myUid() === -1) return real; // no uids here (Windows): nothing more to check
  assertNotPseudo(real, what);
  const parts = real.split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const d = path.sep + parts.slice(0, i).join(path.sep);
    const s = lstatSync(d);
    if (s.uid !== 0 && s.uid !== myUid()) {
      throw usageError(`${what}: directory ${d} belongs to uid ${s.uid}, who could swap files there while leak-detective (uid ${myUid()}) writes them; use a directory owned by you or root`);
    }
    if ((s.mode & 0o022) !== 0 && (s.mode & 0o1000) === 0) {
      throw usageError(`${what}: directory ${d} is writable by ${s.mode & 0o002 ? 'every user' : 'its group'} and not sticky, so another user could swap files there; use a directory only you can write`);
    }
  }
  return real;
}

/** Throw if `file` lies on /proc, /sys, /dev or a filesystem of that kind. */
export function assertNotPseudo(file: string, what: string): void {
  let real = path.resolve(file);
  try {
    real = realpathSync(real);
  } catch {
    try {
      real = path.join(realpathSync(path.dirname(real)), path.basename(real));
    } catch { /* a missing directory is reported by the caller */ }
  }
  const underPseudoDir = PSEUDO_DIRS.some((p) => real === p || real.startsWith(`${p}/`));
  let magic = 0;
  try {
    magic = Number(statfsSync(path.dirname(real)).type);
  } catch { /* unknown: rely on the path */ }
  if (underPseudoDir || PSEUDO_FS_MAGIC.has(magic)) {
    throw usageError(`${what}: ${file}${real === file ? '' : ` (${real})`} is on a kernel pseudo-filesystem, not a place for files; pick a path in a normal directory`);
  }
}

/**
 * Check an existing path we are about to reuse; returns its lstat, or null when nothing is there.
 * Refuses symlinks, non-regular files, files of another user and files with other hard links.
 */
export function checkExistingFile(file: string, what: string): Stats | null {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw usageError(`${what}: cannot inspect ${file} (${(e as NodeJS.ErrnoException).code}); pick another path`, e);
  }
  describeUnsafe(st, file, what);
  return st;
}

function describeUnsafe(st: Stats, file: string, what: string): void {
  if (st.isSymbolicLink()) throw usageError(`${what}: refusing ${file}: it is a symbolic link (never followed); remove it or pick another path`);
  if (st.isDirectory()) throw usageError(`${what}: ${file} is a directory; give a file path`);
  if (!st.isFile()) throw usageError(`${what}: refusing ${file}: not a regular file; pick another path`);
  if (!ownerOk(st.uid)) throw usageError(`${what}: refusing ${file}: it belongs to uid ${st.uid}, not to uid ${myUid()} running leak-detective; remove it or pick another path`);
  if (st.nlink > 1) throw usageError(`${what}: refusing ${file}: it has ${st.nlink} hard links (another name could point at it); pick another path`);
}

/** Create a new file exclusively, never through a symlink; returns the open descriptor (write-only). */
export function createFileExclusive(file: string, what: string, mode = 0o600): number {
  try {
    return openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw usageError(`${what}: ${file} appeared while it was being created; pick another path`, e);
    if (code === 'ENOSPC' || code === 'EROFS' || code === 'EDQUOT' || code === 'EIO') throw storageError(`${what}: cannot create ${file}: ${code}`, e);
    throw usageError(`${what}: cannot create ${file} (${code ?? (e as Error).message}); pick a writable path`, e);
  }
}

/**
 * Validate an output path before the work that produces it: an existing trusted directory, not a
 * pseudo-filesystem, and no symlink, directory or other user's file at the destination. Returns the
 * absolute path to pass to writeFileAtomically.
 */
export function checkOutputPath(file: string, what: string): string {
  if (file === '') throw usageError(`${what} needs a file path`);
  const abs = path.resolve(file);
  if (abs.endsWith(path.sep) || file.endsWith('/')) throw usageError(`${what}: ${file} names a directory; give a file path`);
  assertNotPseudo(abs, what);
  const dir = assertTrustedDirectory(path.dirname(abs), what);
  const dest = path.join(dir, path.basename(abs));
  checkExistingFile(dest, what);
  return dest;
}

/**
 * Write a whole file: a temp file created exclusively beside the destination, fsynced, then renamed over
 * it, so readers never see half a file and a symlink planted at the destination is replaced, not followed.
 */
export function writeFileAtomically(file: string, data: string | Uint8Array, what: string, mode = 0o600): void {
  const dest = checkOutputPath(file, what);
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = createFileExclusive(tmp, what, mode);
  try {
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, dest);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch { /* already gone */ }
    const code = (e as NodeJS.ErrnoException).code;
    throw storageError(`${what}: writing ${file} failed (${code ?? (e as Error).message}); nothing was left at that path`, e);
  }
}

/** Copy a regular file (opened O_NOFOLLOW) to a new file created exclusively (see createFileExclusive). */
export function copyFileExclusive(src: string, dst: string, what: string, mode = 0o600): void {
  const inFd = openNoFollow(src, what);
  try {
    if (!fstatSync(inFd).isFile()) throw inputError(`${what}: refusing ${src}: not a regular file`);
    const outFd = createFileExclusive(dst, what, mode);
    try {
      const buf = Buffer.alloc(1 << 20);
      for (let n; (n = readSync(inFd, buf, 0, buf.length, null)) > 0; ) {
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

/** Read a small file without following a symlink, checking on the descriptor that it is a regular file (of `owners`, default us) and at most `maxBytes`. */
export function readFileSafely(file: string, what: string, o: { maxBytes: number; owners?: number[] }): Buffer {
  const fd = openNoFollow(file, what);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw inputError(`${what}: refusing ${file}: not a regular file`);
    const owners = o.owners ?? [myUid()];
    if (myUid() !== -1 && !owners.includes(st.uid)) throw inputError(`${what}: refusing ${file}: owned by uid ${st.uid}, expected ${owners.join(' or ')}`);
    if (st.size > o.maxBytes) throw inputError(`${what}: refusing ${file}: ${st.size} bytes, more than the ${o.maxBytes} expected`);
    const buf = Buffer.alloc(Math.min(st.size, o.maxBytes) + 1);
    let n = 0;
    for (let r; n < buf.length && (r = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > o.maxBytes) throw inputError(`${what}: refusing ${file}: it grew past ${o.maxBytes} bytes while being read`);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function openNoFollow(file: string, what: string): number {
  try {
    return openSync(file, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw inputError(`${what}: refusing ${file}: it is a symbolic link (never followed)`, e);
    throw inputError(`${what}: cannot read ${file} (${code ?? (e as Error).message})`, e);
  }
}
