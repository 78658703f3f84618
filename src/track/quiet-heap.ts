// Keeps a long-running tracker's own heap flat. V8 doubles the young generation each time the bytes
// that survived scavenges since the last doubling exceed its size, so a process that runs for hours
// with a steady trickle of survivors climbs, in steps, to the 2 × 16 MB maximum. Measured on a tracker
// of 50 processes every 0.2 s: 19 → 57 MB of USS in 31 minutes, a staircase our own analysis calls
// "growing". The tracker's live heap is ~6 MB; a 1 MB semi-space costs more, cheaper scavenges.
import v8 from 'node:v8';
import vm from 'node:vm';

/** Stop the young generation from growing. Idempotent; affects this whole process. */
export function keepYoungGenerationSmall(): void {
  // Read at each growth decision (not only at start-up), so it works after V8 is up; Node keeps
  // V8's flags writable (--no-freeze-flags-after-init) for exactly this API. Only on the V8 lines
  // whose flag list we know has it: an unknown flag makes V8 print an error onto stdout, where
  // --json output goes. Checked on Node 20 (V8 11.3); Node 22/24 ship V8 12/13, which keep it.
  const major = Number(process.versions.v8.split('.')[0]);
  if (major >= 11 && major <= 13) v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * A full GC every `everyMs`. What survives two scavenges is promoted, and on a 6 MB heap V8 may let
 * that garbage pile up for hours before its first mark-compact (measured: old space 5.8 → 7.7 MB in
 * 24 minutes, +0.06 MB/min), which over a days-long run reads as a slow leak. A mark-compact of this
 * heap takes ~3 ms: once a minute is 0.005 % of a core. Returns a function that stops it.
 */
export function collectGarbagePeriodically(everyMs = 60_000): () => void {
  // --expose-gc at runtime: `gc` appears on contexts created afterwards, not on this one.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  if (typeof gc !== 'function') return () => {};
  const timer = setInterval(gc, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
