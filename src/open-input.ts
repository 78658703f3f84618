// Opening a file the user named as input (a trace, a psrecord log, a heap snapshot): it must be a
// regular file before a byte is read. A FIFO blocks the open itself and then every read until a writer
// comes; /dev/zero never ends; a directory or socket fails later with a confusing message. So: open
// with O_NONBLOCK (a FIFO opens at once instead of waiting for a writer), fstat the descriptor we
// hold (not the path, which may be swapped after a check), refuse anything but a regular file, and
// hand back the size seen then: readers read no further, so a file that grows without end (a log
// another process keeps appending to) cannot keep them reading for ever.
import { closeSync, constants, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { inputError, notFoundError } from './errors.js';

export interface InputFile {
  fd: number;
  /** Bytes in the file when it was opened: the most a reader takes from it. */
  size: number;
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/** What a non-regular file is, in words, for the refusal. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Open `file` for reading; throws a one-line input error (exit 2) unless it is a regular file, or
 * not-found (exit 3) when absent. `what` names the input in messages ("trace", "snapshot").
 */
export function openInputFile(file: string, what: string): InputFile {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFoundError(`no ${what} file at ${file}`);
    // A socket cannot be opened at all (ENXIO): say what it is rather than the errno.
    const st = statOrNull(file);
    if (st && !st.isFile()) throw inputError(`refusing ${what} ${file}: it is ${kindOf(st)}, not a regular file; pass a file`, e);
    throw inputError(`cannot read ${what} ${file}: ${code ?? (e as Error).message}`, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw inputError(`refusing ${what} ${file}: it is ${kindOf(st)}, not a regular file; pass a file`);
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
