// Which directories a privileged leak-detective may write in: only those no other user can change.
// The rule of sudo, OpenSSH's StrictModes/safe_path and systemd-tmpfiles: every directory on the real
// path is owned by root or by us and is not writable by group or others, unless it is sticky (like
// /tmp, where others cannot rename or remove our files). Kernel pseudo-filesystems are never a place
// for files. Every refusal is a usage error (exit 2) naming the path, the reason and what to do.
import { accessSync, constants, lstatSync, mkdirSync, mkdtempSync, realpathSync, statfsSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { usageError } from '../errors.js';

/** Pseudo-filesystems that are never a place for results (writing there spins, fails or does harm). */
const PSEUDO_FS_MAGIC = new Set([0x9fa0 /* proc */, 0x62656572 /* sysfs */, 0x1cd1 /* devpts */, 0x63677270 /* cgroup2 */, 0x27e0eb /* cgroup */]);
const PSEUDO_DIRS = ['/proc', '/sys', '/dev'];

/** Our effective uid, or -1 where there are no uids (Windows: nothing to check). */
export const myUid = (): number => (typeof process.geteuid === 'function' ? process.geteuid() : -1);
export const ownerOk = (uid: number): boolean => myUid() === -1 || uid === myUid();
const trustedOwner = (uid: number): boolean => uid === 0 || uid === myUid();

/** Why a directory entry is unsafe to rely on, or null when only root or we can change it. */
function unsafeReason(st: Stats, name: string): string | null {
  if (!trustedOwner(st.uid)) return `${name} is owned by uid ${st.uid}, another user`;
  if (st.isDirectory() && (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
    return `${name} is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  }
  return null;
}

/**
 * Throw unless `dir` is a directory only root or this user can change (sticky world-writable ones like
 * /tmp included). `what` names the flag or file in the message, e.g. "--db leak-track.db". Returns the
 * real path: callers write there, so a symlink on the way that changes later changes nothing.
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
  if (myUid() === -1) return real;
  assertNotPseudo(real, what);
  const parts = real.split(path.sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const d = path.sep + parts.slice(0, i).join(path.sep);
    const s = lstatSync(d);
    if (!trustedOwner(s.uid)) {
      throw usageError(`${what}: directory ${d} belongs to uid ${s.uid}, who could swap files there while leak-detective (uid ${myUid()}) writes them; use a directory owned by you or root`);
    }
    if ((s.mode & 0o022) !== 0 && (s.mode & 0o1000) === 0) {
      throw usageError(`${what}: directory ${d} is writable by ${s.mode & 0o002 ? 'every user' : 'its group'} and not sticky, so another user could swap files there; use a directory only you can write`);
    }
  }
  return real;
}

/**
 * A fresh private directory (mkdtemp: 0700, a new name) in the temp directory, which must itself be
 * trusted: in a TMPDIR another user owns, they could rename ours away and put theirs in its place.
 */
export function makePrivateDir(prefix: string, what: string): string {
  return mkdtempSync(path.join(assertTrustedDirectory(tmpdir(), `${what}: the temp directory (TMPDIR)`), prefix));
}

/** Throw (exit 2) when nothing can be created in `dir` (a read-only mount): before the work, not after. */
export function assertWritableDirectory(dir: string, what: string): void {
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw usageError(`${what}: directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code}); pick a path in a writable directory`, e);
  }
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
 * Make `dir` (relative or absolute) ready for output (leak-profile --out): created 0700 when missing;
 * refused when it is a symlink, not a directory, or anything on its way (a symlink another user owns
 * included) can be changed by another user. Returns the resolved real path.
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
    let p = parent;
    for (const part of path.relative(parent, abs).split(path.sep)) {
      p = path.join(p, part);
      try {
        mkdirSync(p, { mode: 0o700 });
      } catch (e) {
        throw usageError(`cannot create ${flag} ${dir}: ${(e as NodeJS.ErrnoException).code}; give a writable directory`);
      }
    }
  }
  const real = realpathSync(abs);
  const why = unsafeReason(lstatSync(real), `${flag} ${dir}`);
  if (why) throw usageError(`${why}; give a directory only you (or root) can write`);
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
  let p = '/';
  for (const part of ['', ...path.resolve(dir).split('/').filter(Boolean)]) {
    p = path.join(p, part);
    const why = unsafeReason(lstatSync(p), p);
    if (why) throw usageError(`cannot trust ${flag} ${given}: ${why}; give a directory only you (or root) can change`);
  }
  const real = realpathSync(dir);
  if (real !== path.resolve(dir)) checkComponents(real, flag, given);
}
