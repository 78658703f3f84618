// The text of leak-track --explain's profiles, under the session's charts: the closing paragraph for
// each, then the profile's own table (types, sparklines of their counts, holders), as leak-profile prints it.
import type { ExplainReport } from '../types.js';
import { renderProfileText } from './profile-text.js';

type Wrap = (text: string, width: number, indent?: string) => string[];

/** Profile rows shown under each paragraph. */
export const EXPLAIN_TOP = 5;

/** The section's lines (no trailing newline). */
export function explainText(entries: ExplainReport[], width: number, wrap: Wrap): string[] {
  const out = ['What grows inside (leak-track --explain):'];
  for (const e of entries) {
    out.push(...wrap(e.paragraph, width, '  '));
    if (e.profile) {
      for (const l of renderProfileText(e.profile, EXPLAIN_TOP).trimEnd().split('\n')) out.push(`    ${l}`.trimEnd());
    }
    const paused = e.windows.filter((w) => w.kind === 'paused').length;
    if (e.windows.length) out.push(...wrap(`profile windows (^ on the charts, left out of the fit): ${e.windows.length}, ${paused} of them with the target paused`, width, '    '));
  }
  return out;
}
