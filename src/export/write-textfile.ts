// node_exporter's textfile collector reads every *.prom file in a directory at each scrape; a file it
// reads must be complete, so it is written beside under a temporary name and renamed into place.
import { closeSync, constants, fsyncSync, lstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { storageError, usageError } from '../errors.js';

/** The file one tracker writes in DIR (one per tracker, so several trackers on a node never collide). */
export function textfilePath(dir: string, pid = process.pid): string {
  return path.join(dir, `leak-detective-${pid}.prom`);
}

/** Check DIR before tracking starts: an existing real directory (a symlink is refused: root follows no links). */
export function checkTextfileDir(dir: string, file: string): void {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    throw usageError(`--textfile ${dir}: no such directory; create it or point to node_exporter's --collector.textfile.directory`, e);
  }
  if (st.isSymbolicLink()) throw usageError(`--textfile ${dir} is a symbolic link; give the directory it points to`);
  if (!st.isDirectory()) throw usageError(`--textfile ${dir} is not a directory; give node_exporter's --collector.textfile.directory`);
  try {
    if (lstatSync(file).isSymbolicLink()) throw usageError(`--textfile: ${file} is a symbolic link; remove it first`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * Write `body` to `file` atomically: a new temp file (O_EXCL, O_NOFOLLOW: never an existing file or a
 * link planted there), flushed, then renamed over the old one. Mode 0644: node_exporter often runs
 * as its own user.
 */
export function writeTextfile(file: string, body: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    writeSync(fd, body);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw storageError(`--textfile: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, e);
  }
}
