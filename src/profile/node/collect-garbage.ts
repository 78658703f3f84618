// A full garbage collection between snapshot files, for the CLI. A parsed graph is ~20–60 MB of typed
// arrays that V8 counts as external memory; it collects them only once external memory has grown by
// more than its own limit, so the earlier files' graphs were still resident while the last one was
// parsed and its dominator tree built (measured: +5–15 MB of peak on a 249 MB strings-heavy set).
// The `gc` function is taken the way jest-leak-detector takes it (the flag set for one moment, then
// cleared); the library API never calls this: a user's process keeps its own GC pacing.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** Collect garbage now, where the runtime allows it; a no-op where it does not. */
export function collectGarbage(): void {
  if (gc === undefined) {
    gc = typeof globalThis.gc === 'function' ? (globalThis.gc as () => void) : null;
    if (!gc) {
      try {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
      } catch {
        gc = null;
      } finally {
        setFlagsFromString('--no-expose-gc');
      }
    }
  }
  gc?.();
}
