// How wide the text report may be: the terminal's columns, or 100 when the output is not a terminal
// (a pipe or a file), so logs read the same everywhere. $COLUMNS overrides both, as in other tools.

/** Columns to fit text output into. */
export function terminalWidth(out: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv >= 20) return fromEnv;
  if (out.isTTY && out.columns && out.columns >= 20) return out.columns;
  return 100;
}
