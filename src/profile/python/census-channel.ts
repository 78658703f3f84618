// How a census result gets from the target back to (possibly root) leak-profile without root ever
// touching a path the target's user controls: a fresh root-owned 0711 directory (mkdtemp, so nobody
// else can add, rename or link anything in it), in which leak-profile pre-creates one result file per
// census (O_EXCL, 0600, then handed to the target's uid). The target may only open that file and
// write it; leak-profile reads it back with O_NOFOLLOW, checks type, owner and links, and caps its size.
import { chmodSync, closeSync, fchownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LeakError } from '../../errors.js';
import { assertTrustedDirectory, createFileExclusive, readOwnedFile, writeFileAtomically } from '../../safe-files.js';

/** A census result is JSON of a few MB at most; anything bigger is not ours. */
export const RESULT_CAP = 64 * 1024 * 1024;

export interface CensusChannel {
  dir: string;
  targetUid: number;
}

/** A fresh channel directory: root-owned (or ours), 0711, traversable by the target but not writable. */
export function openChannel(targetUid: number): CensusChannel {
  const me = process.getuid?.() ?? 0;
  // TMPDIR may be private to us (/root/tmp); a target of another user must reach the directory.
  // The base must be one nobody else can change (a TMPDIR owned by another user is refused, exit 2).
  const base = assertTrustedDirectory(targetUid === me ? tmpdir() : '/tmp', 'the census channel directory');
  const dir = mkdtempSync(path.join(base, 'leak-census-'));
  chmodSync(dir, 0o711);
  return { dir, targetUid };
}

/** Pre-create the result file for census `seq`: empty, 0600, owned by the target's uid. */
export function prepareResult(ch: CensusChannel, seq: number): string {
  const file = path.join(ch.dir, `census-${seq}.json`);
  const fd = createFileExclusive(file, 'the census result file');
  try {
    if (ch.targetUid !== (process.getuid?.() ?? 0)) fchownSync(fd, ch.targetUid, -1);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Write a file (a gdb snippet, a hook request) into a directory only we can write: created anew, renamed into place. */
export function writeOwnFile(dir: string, name: string, text: string | Uint8Array, mode = 0o600): string {
  return writeFileAtomically(path.join(dir, name), text, `leak-profile's ${name}`, mode);
}

/**
 * The census result once the target has written it completely (the payload ends it with a newline),
 * or null while it is still empty or partial. An error reported by the payload is thrown.
 */
export function readResult<T>(file: string, ch: CensusChannel, pid: number): T | null {
  const buf = readOwnedFile(file, ch.targetUid, RESULT_CAP);
  if (buf.length === 0 || buf[buf.length - 1] !== 0x0a) return null;
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new LeakError('unsupported', `PID ${pid} wrote a census result that is not JSON (${buf.length} bytes); nothing was used from it`);
  }
  if (!v || typeof v !== 'object') throw new LeakError('unsupported', `PID ${pid} wrote a census result that is not an object; nothing was used from it`);
  const err = (v as { error?: unknown }).error;
  if (err !== undefined) {
    // Text from the target: printable and short, never terminal escapes.
    const text = String(err).replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
    // The payload says whose fault it was: the target's own code (a replaced gc function, a property
    // that raises, no memory left) is the target's condition (exit 3); anything else is our bug (70).
    if ((v as { fault?: unknown }).fault === 'target') {
      throw new LeakError('unsupported', `the census could not run inside PID ${pid}: ${text}; the target was left running, nothing was counted`);
    }
    throw new LeakError('internal', `the census failed inside PID ${pid}: ${text}; the target was left running`);
  }
  return v as T;
}

/** Remove the channel (only we can write in it, so nothing planted there can redirect this). */
export function closeChannel(ch: CensusChannel): void {
  rmSync(ch.dir, { recursive: true, force: true });
}
