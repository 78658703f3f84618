// Paths leak-profile's privileged side writes or reads (built on src/safe-files.ts, shared with leak-track): a directory is trusted only when no other user can change
// what it holds (every component owned by root or by us, not group/world-writable unless sticky, no
// symlink another user owns: the rule OpenSSH's safe_path and systemd-tmpfiles apply), and files in it
// are created exclusively, without following links.
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { LeakError, usageError } from '../errors.js';
import { assertNotPseudo, assertTrustedDirectory, createFileExclusive } from '../safe-files.js';

const myUid = (): number => process.getuid?.() ?? 0;

/** Why a directory entry is unsafe to rely on, or null when only root or we can change it. */
function unsafeReason(st: Stats, what: string): string | null {
  if (st.uid !== 0 && st.uid !== myUid()) return `${what} is owned by uid ${st.uid}, another user`;
  if (st.isDirectory() && (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
    return `${what} is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  }
  return null;
}

/**
 * Make `dir` (relative or absolute) ready for output: created 0700 when missing; refused (exit 2)
 * when it is a symlink, not a directory, or anything on its way can be changed by another user.
 * Returns the resolved real path.
 */
export function prepareOutDir(dir: string, flag = '--out'): string {
  const abs = path.resolve(dir);
  // /proc, /sys, /dev: never a place for files (and Node's mkdir spins on /proc).
  assertNotPseudo(abs, `${flag} ${dir}`);
  let st: Stats | null = null;
  try {
    st = lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw usageError(`cannot use ${flag} ${dir}: ${(e as NodeJS.ErrnoException).code}; give a directory you own`);
  }
  if (st?.isSymbolicLink()) throw usageError(`${flag} ${dir} is a symbolic link; give the real directory (leak-profile never writes through links)`);
  if (st && !st.isDirectory()) throw usageError(`${flag} ${dir} exists and is not a directory; give a directory`);
  const parent = st ? path.dirname(abs) : nearestExisting(abs);
  checkComponents(parent, flag, dir);
  if (!st) {
    // One component at a time: Node's recursive mkdir spins forever on /proc (ENOENT, then EEXIST…).
    const missing = path.relative(parent, abs).split(path.sep);
    let p = parent;
    for (const part of missing) {
      p = path.join(p, part);
      try {
        mkdirSync(p, { mode: 0o700 });
      } catch (e) {
        throw usageError(`cannot create ${flag} ${dir}: ${(e as NodeJS.ErrnoException).code}; give a writable directory`);
      }
    }
  }
  const real = realpathSync(abs);
  const rs = lstatSync(real);
  const why = unsafeReason(rs, `${flag} ${dir}`);
  if (why) throw usageError(`${why}; give a directory only you (or root) can write`);
  // The shared check on the real path as well (src/safe-files.ts), so both tools agree on what is trusted.
  return assertTrustedDirectory(real, `${flag} ${dir}`);
}

function nearestExisting(abs: string): string {
  let p = path.dirname(abs);
  for (;;) {
    try {
      lstatSync(p);
      return p;
    } catch {
      if (p === path.dirname(p)) return p;
      p = path.dirname(p);
    }
  }
}

/** Every component of `dir` (symlinks included, then the real path) must be changeable only by root or us. */
function checkComponents(dir: string, flag: string, given: string): void {
  const parts = path.resolve(dir).split('/').filter(Boolean);
  let p = '/';
  for (const part of ['', ...parts]) {
    p = path.join(p, part);
    const st = lstatSync(p);
    const why = unsafeReason(st, p);
    if (why) throw usageError(`cannot trust ${flag} ${given}: ${why}; give a directory only you (or root) can change`);
  }
  const real = realpathSync(dir);
  if (real !== path.resolve(dir)) checkComponents(real, flag, given);
}

/** Create `file` exclusively (O_EXCL, O_NOFOLLOW), mode 0600: the shared rule of src/safe-files.ts. */
export function createExclusive(file: string, what = '--out'): number {
  return createFileExclusive(file, what, 0o600);
}

/**
 * Read a file the target's user may have written: O_NOFOLLOW, a regular file owned by `uid` with one
 * link, at most `cap` bytes.
 */
export function readOwnedFile(file: string, uid: number, cap: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    throw new LeakError('unsupported', `cannot open the result ${file}: ${(e as NodeJS.ErrnoException).code}; leak-profile does not follow links there`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== uid || st.nlink !== 1) throw new LeakError('unsupported', `${file} is no longer the result file leak-profile created (type, owner or links changed); nothing was read`);
    if (st.size > cap) throw new LeakError('unsupported', `${file} holds ${st.size} bytes, more than the ${cap} a result may; nothing was read`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}
