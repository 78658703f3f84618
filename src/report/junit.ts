// JUnit XML for CI systems: one testcase per process/tree row; FAIL → <failure>, INCONCLUSIVE → <skipped>
// (or <failure> under --strict), so a dashboard shows the leak next to the other test results.
import type { ProcessReport } from '../types.js';
import { escapeControl } from '../text/escape.js';

export interface JunitCase {
  row: ProcessReport;
  line: string; // the leak-check line
  failed: boolean;
  skipped: boolean;
}

// escapeControl first: it leaves no character XML 1.0 forbids (C0, U+FFFE/U+FFFF, lone surrogates),
// so the file stays well-formed whatever a process was called, and the oddity stays visible.
const esc = (s: string): string =>
  escapeControl(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Render the JUnit document for one leak-check run. */
export function renderJunit(suiteName: string, cases: JunitCase[], durationS: number): string {
  const failures = cases.filter((c) => c.failed).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const body = cases.map((c) => {
    const name = `${c.row.role === 'tree' ? 'tree' : c.row.name} ${c.row.pid} (${c.row.role}, ${c.row.metric})`;
    const open = `    <testcase classname="leak-check" name="${esc(name)}" time="${c.row.duration_s}">`;
    const inner = c.failed
      ? `\n      <failure message="${esc(c.line)}" type="leak">${esc(c.row.cmdline)}</failure>\n    `
      : c.skipped
        ? `\n      <skipped message="${esc(c.line)}"/>\n    `
        : `\n      <system-out>${esc(c.line)}</system-out>\n    `;
    return `${open}${inner}</testcase>`;
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="leak-detective" tests="${cases.length}" failures="${failures}" skipped="${skipped}">\n` +
    `  <testsuite name="${esc(suiteName)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${durationS}">\n` +
    `${body.join('\n')}\n  </testsuite>\n</testsuites>\n`
  );
}
