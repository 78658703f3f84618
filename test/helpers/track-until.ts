// Tracking a live leaker until the verdict is in, instead of for a fixed window: a window long enough on
// an idle box reads "not decided" on a loaded one (the tracker reads USS only every few ticks there), and
// one long enough for a loaded box wastes most of its time on an idle one.
import type { ChildProcess } from 'node:child_process';
import { collect, runBin, startBin, type BinResult } from './procs.js';
import { waitUntil } from './wait.js';

/**
 * `leak-track PID --duration 0 …args` until `leak-check --db DB …check` on the readings so far exits
 * `code` (1: FAIL), then SIGTERM to the target: the tracker ends with it, a normal end (its summary, its
 * exit code on the whole run). The target must exit on SIGTERM.
 */
export async function trackUntilChecked(target: ChildProcess, db: string, args: string[], check: string[], code = 1, timeoutMs = 120_000): Promise<BinResult> {
  const tracker = startBin('leak-track', [String(target.pid), '--duration', '0', '--db', db, ...args]);
  const tracked = collect(tracker, timeoutMs + 30_000);
  try {
    await waitUntil(`leak-check ${check.join(' ')} to exit ${code} on the readings so far`, async () => tracker.exitCode === null && (await runBin('leak-check', ['--db', db, ...check])).code === code, { timeoutMs, everyMs: 500 });
  } finally {
    target.kill('SIGTERM');
  }
  return tracked;
}
