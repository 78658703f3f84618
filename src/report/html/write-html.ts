// Writing a report file: a path that cannot be written is a storage error naming it, not a crash.
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { storageError, usageError } from '../../errors.js';

/** Write the document to `file` (mode 0644); throws a LeakError (exit 4) when it cannot. */
export function writeHtmlFile(file: string, html: string): void {
  try {
    writeFileSync(file, html, { mode: 0o644 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw storageError(`cannot write the HTML report to ${file} (${code}); pass --html with a writable path`, e);
  }
}

/** Fail before any work when --html names a place no file can be written (a missing or read-only directory). */
export function checkHtmlPath(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    if (!statSync(dir).isDirectory()) throw new Error('ENOTDIR');
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw usageError(`--html ${file}: directory ${dir} does not exist or is not writable; pass a path in a writable directory`, e);
  }
  if (existsSync(file) && statSync(file).isDirectory()) throw usageError(`--html ${file} is a directory; pass a file name such as report.html`);
}
