// The Report JSON renderer: the composed session's documented shape (DESIGN.md §2), one line.
import type { ComposedSession } from './compose-session.js';

/** One session as a JSON line. */
export function renderSessionJson(s: ComposedSession): string {
  return `${JSON.stringify(s.report)}\n`;
}
