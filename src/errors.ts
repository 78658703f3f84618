// Typed errors with stable codes. The CLI boundary (src/cli/run.ts) turns them into one
// line on stderr and the exit code below; nothing else in the codebase calls process.exit.

/** Stable error codes; the exit code is derived from the code, never chosen at the throw site. */
export type LeakErrorCode =
  | 'usage' // bad flag or value
  | 'input' // a file that cannot be read as what it claims to be
  | 'not-found' // target process (or session) does not exist
  | 'permission' // target exists but we may not look at it
  | 'unsupported' // target runtime/platform cannot be handled
  | 'timeout' // a bounded operation did not finish
  | 'storage' // the DB or an output file could not be written (disk full, read-only, removed)
  | 'internal';

/** Exit codes per DESIGN.md §1: 0 ok, 1 leak found, 2 usage/input, 3 target not found/no permission, 4 storage failed. */
export const EXIT_CODES: Record<LeakErrorCode, number> = {
  usage: 2,
  input: 2,
  'not-found': 3,
  permission: 3,
  unsupported: 3,
  timeout: 3,
  storage: 4,
  internal: 70,
};

export const EXIT_OK = 0;
export const EXIT_LEAK = 1;
export const EXIT_INTERRUPTED = 130;

/** 128 + N for a run ended by signal N (after saving and printing the summary): 129 HUP, 130 INT, 143 TERM. */
export function exitCodeForSignal(sig: NodeJS.Signals): number {
  const n = ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as Partial<Record<NodeJS.Signals, number>>)[sig];
  return n === undefined ? EXIT_INTERRUPTED : 128 + n;
}

/** The one error type the toolkit throws on purpose; its message is shown to the user as is. */
export class LeakError extends Error {
  readonly code: LeakErrorCode;
  constructor(code: LeakErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LeakError';
    this.code = code;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** Shorthands so throw sites read like the message they produce. */
export const usageError = (message: string, cause?: unknown) => new LeakError('usage', message, { cause });
export const inputError = (message: string, cause?: unknown) => new LeakError('input', message, { cause });
export const notFoundError = (message: string, cause?: unknown) => new LeakError('not-found', message, { cause });
export const permissionError = (message: string, cause?: unknown) => new LeakError('permission', message, { cause });
export const storageError = (message: string, cause?: unknown) => new LeakError('storage', message, { cause });

export function isLeakError(e: unknown): e is LeakError {
  return e instanceof LeakError;
}
