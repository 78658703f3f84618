// node_exporter's textfile collector reads every *.prom file in a directory at each scrape; a file it
// reads must be complete, so it is written through the one safe-output path (src/safe-files.ts): a temp
// file beside it, renamed into place. The directory must be one only root or we can change (a
// directory owned by node_exporter's user is refused: chown it to root, or give one you own).
import { lstatSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors.js';
import { assertTrustedDirectory, checkExistingFile, checkOutputPath, writeFileAtomically } from '../safe-files.js';

/** The file one tracker writes in DIR (one per tracker, so several trackers on a node never collide). */
export function textfilePath(dir: string, pid = process.pid): string {
  return path.join(dir, `leak-detective-${pid}.prom`);
}

/** Check DIR before tracking starts: an existing real directory (a symlink is refused: root follows no links), trusted, and no link or foreign file at the file's name. */
export function checkTextfileDir(dir: string, file: string): void {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    throw usageError(`--textfile ${dir}: no such directory; create it or point to node_exporter's --collector.textfile.directory`, e);
  }
  if (st.isSymbolicLink()) throw usageError(`--textfile ${dir} is a symbolic link; give the directory it points to`);
  if (!st.isDirectory()) throw usageError(`--textfile ${dir} is not a directory; give node_exporter's --collector.textfile.directory`);
  assertTrustedDirectory(dir, `--textfile ${dir}`);
  checkOutputPath(file, '--textfile');
}

/** Write `body` to `file` whole (temp file, fsync, rename). Mode 0644: node_exporter often runs as its own user. */
export function writeTextfile(file: string, body: string): void {
  writeFileAtomically(file, body, '--textfile', 0o644);
}

/** Remove our textfile at exit; something else found under its name (planted after a refused write) is left alone. */
export function removeTextfile(file: string): void {
  try {
    if (checkExistingFile(file, '--textfile')) unlinkSync(file);
  } catch { /* not ours, or already gone: nothing of ours to remove */ }
}
