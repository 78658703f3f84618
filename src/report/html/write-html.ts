// Writing an HTML report (leak-report, leak-track, leak-profile --html) through the one safe-output
// path (src/safe-files.ts): checked before the work, then replaced whole, mode 0644 (a report is meant
// to be shared), never through a link or into another user's file.
import { checkOutputPath, writeFileAtomically } from '../../safe-files.js';

/** Write the document to `file`; throws a LeakError (exit 2 refused, exit 4 storage failed). */
export function writeHtmlFile(file: string, html: string): void {
  writeFileAtomically(file, html, '--html', 0o644);
}

/** Fail before any work (exit 2) when --html names a place the report may not or cannot be written. */
export function checkHtmlPath(file: string): void {
  checkOutputPath(file, '--html');
}
