// Replacing an output whole: a temp file created exclusively beside the destination (same directory,
// so same filesystem), written, fsynced, then put in place. Readers never see half a file, and on any
// failure (disk full, I/O error, a signal that aborts the work) the temp file is removed and the
// destination is left exactly as it was: absent, or the previous good file.
//
// Putting it in place never follows or replaces something another user planted:
//   - destination absent: link(2) the temp file to it, which fails (EEXIST) on anything that appeared
//     meanwhile, a symlink included, instead of replacing it; the refusal names what is there;
//   - destination present: it must be our regular file with one link (checked again just before), and
//     rename(2) replaces it. In a directory only root or we can write, nobody else can swap it; in a
//     sticky one (/tmp), nobody else may rename or remove our file, so it is still ours at rename.
//   - a filesystem without hard links (vfat, some network mounts): rename(2), which never follows a
//     link either; the only difference is that a link planted in the last microseconds is replaced,
//     not refused.
// A kill -9 in the middle leaves a `.NAME.XXXXXXXXXXXX.tmp` beside the destination, never a half
// destination.
import { closeSync, constants, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { LeakError, storageError, usageError } from '../errors.js';
import { checkExistingFile, checkOutputPath, createFileExclusive } from './create.js';

export interface AtomicFileOptions {
  /** File mode of the result (default 0600; reports meant to be shared say 0644). */
  mode?: number;
  /** Replace a file of ours already at the destination (default); false: refuse it (--out captures). */
  replace?: boolean;
}

/** An output being written: write to `fd`, then `commit()` to put it in place, or `discard()`. */
export interface AtomicFile {
  readonly fd: number;
  /** Where it will be: the real directory + base name. */
  readonly dest: string;
  readonly tmp: string;
  commit(): void;
  discard(): void;
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

/** Open a temp file for `file` (checked like checkOutputPath) that commit() puts in place atomically. */
export function openAtomicFile(file: string, what: string, o: AtomicFileOptions = {}): AtomicFile {
  const dest = checkOutputPath(file, what);
  const replace = o.replace ?? true;
  if (!replace) refuseExisting(dest, what);
  const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = createFileExclusive(tmp, what, o.mode ?? 0o600);
  let open = true;
  let settled = false;
  const discard = () => {
    if (open) {
      open = false;
      try {
        closeSync(fd);
      } catch { /* already failing */ }
    }
    if (!settled) {
      settled = true;
      try {
        unlinkSync(tmp);
      } catch { /* already gone */ }
    }
  };
  return {
    fd,
    dest,
    tmp,
    discard,
    commit() {
      if (settled) throw new Error(`${what}: ${tmp} was already committed or discarded`);
      try {
        fsyncSync(fd);
        open = false;
        closeSync(fd);
        place(tmp, dest, what, replace);
        settled = true;
        syncDirectory(path.dirname(dest));
      } catch (e) {
        discard();
        throw asLeakError(e, what, file);
      }
    },
  };
}

/**
 * Write a whole file atomically (see the top of this file). Refusals are exit 2; a write that fails
 * on the way is exit 4 and leaves the destination as it was.
 */
export function writeFileAtomically(file: string, data: string | Uint8Array, what: string, mode = 0o600, o: { replace?: boolean } = {}): string {
  const out = openAtomicFile(file, what, { mode, replace: o.replace });
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let off = 0; off < buf.length; ) off += writeSync(out.fd, buf, off, buf.length - off);
  } catch (e) {
    out.discard();
    throw asLeakError(e, what, file);
  }
  out.commit();
  return out.dest;
}

function refuseExisting(dest: string, what: string): void {
  if (checkExistingFile(dest, what)) throw usageError(`${what}: ${dest} already exists; remove it or give another path (leak-detective does not overwrite it)`);
}

function place(tmp: string, dest: string, what: string, replace: boolean): void {
  if (checkExistingFile(dest, what)) {
    if (!replace) refuseExisting(dest, what);
    renameSync(tmp, dest);
    return;
  }
  try {
    linkSync(tmp, dest);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') {
      // Something appeared since the check: name it (a link, another user's file), or, if it is ours
      // (a second run of ours racing), treat it as present.
      if (checkExistingFile(dest, what) && replace) {
        renameSync(tmp, dest);
        return;
      }
      throw usageError(`${what}: ${dest} appeared while it was being written; remove it or pick another path`, e);
    }
    if (!NO_HARD_LINKS.has(code)) throw e;
    renameSync(tmp, dest);
    return;
  }
  unlinkSync(tmp);
}

/** fsync the directory so the new name survives a crash; a filesystem that cannot is not an error. */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
    fsyncSync(fd);
  } catch { /* best effort */ } finally {
    if (fd !== null) closeSync(fd);
  }
}

function asLeakError(e: unknown, what: string, file: string): LeakError {
  if (e instanceof LeakError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'no space left on the device (ENOSPC)' : code === 'EDQUOT' ? 'over the disk quota (EDQUOT)' : code ?? (e as Error).message;
  return storageError(`${what}: cannot write ${file}: ${why}; nothing was written there (a file already there is unchanged); free some space or pick another path`, e);
}
