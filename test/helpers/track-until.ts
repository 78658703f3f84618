// Tracking a live target until the verdict is in, instead of for a fixed window: a window long enough on
// an idle box reads "not decided" on a loaded one (the tracker reads USS/PSS only every few ticks there),
// and one long enough for a loaded box wastes most of its time on an idle one.
import type { ChildProcess } from 'node:child_process';
import { collect, runBin, startBin, type BinResult } from './procs.js';
import { waitUntil } from './wait.js';

/**
 * `leak-track PID --duration 0 …args` until `ready()` (it reads the DB so far), then SIGTERM to the
 * target (the tracker ends with it: a normal end, its summary and exit code on the whole run) or, with
 * `stop: 'tracker'`, SIGINT to the tracker (exit 130, the session saved; the target left running).
 */
export async function trackUntil(target: ChildProcess, db: string, args: string[], what: string, ready: () => Promise<boolean>, o: { stop?: 'target' | 'tracker'; timeoutMs?: number } = {}): Promise<BinResult> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const tracker = startBin('leak-track', [String(target.pid), '--duration', '0', '--db', db, ...args]);
  const tracked = collect(tracker, timeoutMs + 30_000);
  try {
    await waitUntil(what, async () => tracker.exitCode === null && (await ready()), { timeoutMs, everyMs: 500 });
  } finally {
    if (o.stop === 'tracker') tracker.kill('SIGINT');
    else target.kill('SIGTERM');
  }
  return tracked;
}

/** trackUntil `leak-check --db DB …check` on the readings so far exits `code` (1: FAIL); the target must exit on SIGTERM. */
export function trackUntilChecked(target: ChildProcess, db: string, args: string[], check: string[], code = 1, timeoutMs = 120_000): Promise<BinResult> {
  const ready = async () => (await runBin('leak-check', ['--db', db, ...check])).code === code;
  return trackUntil(target, db, args, `leak-check ${check.join(' ')} to exit ${code} on the readings so far`, ready, { timeoutMs });
}
