// A full, synchronous garbage collection from inside this process, without --expose-gc on the command line.
import v8 from 'node:v8';
import vm from 'node:vm';

let cached: (() => void) | null = null;

/** The engine's `gc()`: exposed at runtime (it appears on contexts created afterwards, hence the new context). */
export function obtainGc(): () => void {
  if (cached) return cached;
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return (cached = existing);
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc !== 'function') throw new Error('leak-detective: cannot force a garbage collection in this runtime (run node with --expose-gc)');
  return (cached = gc);
}
