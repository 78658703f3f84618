// Reading files another user may have written: opened O_NOFOLLOW (and non-blocking, so a FIFO planted
// there cannot hang us), then checked on the open descriptor (regular file, owner, links), size-capped.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { inputError, LeakError, permissionError } from '../errors.js';
import { myUid } from './trusted-dir.js';

const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_CLOEXEC = (constants as Record<string, number>).O_CLOEXEC ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

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

/**
 * Read a file the target's user may have written (a census result): O_NOFOLLOW, a regular file owned
 * by `uid` with one link, at most `cap` bytes. A mismatch is the target's doing (exit 3).
 */
export function readOwnedFile(file: string, uid: number, cap: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
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

/** Open read-only without following a symlink (ELOOP is named as the refusal it is). */
export function openNoFollow(file: string, what: string): number {
  try {
    return openSync(file, constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw inputError(`${what}: refusing ${file}: it is a symbolic link (never followed)`, e);
    // Exit 3 as the contract says for "no permission" (DESIGN.md §1), not 2: the input is fine, we may not read it.
    if (code === 'EACCES' || code === 'EPERM') throw permissionError(`${what}: no permission to read ${file} (${code}); run as its owner or as root`, e);
    throw inputError(`${what}: cannot read ${file} (${code ?? (e as Error).message})`, e);
  }
}
