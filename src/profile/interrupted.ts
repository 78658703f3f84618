// A profile ended by SIGINT/SIGTERM/SIGHUP: carried up to the command, which prints one line (what was
// cleaned up) and exits 128+N. Not a LeakError: being asked to stop is not a fault.

/** Thrown once cleanup after a signal is done; `detail` says what state the target was left in. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals, readonly detail: string) {
    super(`interrupted by ${signal}; ${detail}`);
    this.name = 'Interrupted';
  }
}

/** The signal that aborted `s`, if any. */
export function abortSignalName(s?: AbortSignal): NodeJS.Signals | null {
  return s?.aborted ? ((typeof s.reason === 'string' ? s.reason : 'SIGINT') as NodeJS.Signals) : null;
}

/** Settle with `p`, or reject with the abort reason as soon as `s` aborts (the work itself goes on). */
export function raceAbort<T>(p: Promise<T>, s?: AbortSignal): Promise<T> {
  if (!s) return p;
  return new Promise<T>((resolve, reject) => {
    if (s.aborted) return reject(new AbortedError());
    const onAbort = () => reject(new AbortedError());
    s.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (s.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (s.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** A wait cut short by a signal; turned into Interrupted after cleanup. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortedError';
  }
}

/** Sleep `ms`, rejecting with AbortedError when `s` aborts. */
export function abortableSleep(ms: number, s?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (s?.aborted) return reject(new AbortedError());
    const onAbort = () => (clearTimeout(t), reject(new AbortedError()));
    const t = setTimeout(() => (s?.removeEventListener('abort', onAbort), resolve()), ms);
    s?.addEventListener('abort', onAbort, { once: true });
  });
}
