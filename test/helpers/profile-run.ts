// Running leak-profile against a fixture process from the Python e2e tests: wait for the fixture to
// say it is ready, profile it, and keep its output so the test can check it still worked afterwards.
import type { ChildProcess } from 'node:child_process';
import type { GrowingType, ProfileReport } from '../../src/types.js';
import { runBin, type BinResult } from './procs.js';

export interface Watched {
  /** Resolves when the fixture printed a line matching `ready` (or exited: then it rejects). */
  ready: Promise<void>;
  /** Resolves when it exits, with everything it printed. */
  done: Promise<BinResult>;
}

/** Follow a fixture's output from the start. */
export function watch(child: ChildProcess, ready: RegExp = /^ready/m, timeoutMs = 300_000): Watched {
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const readyP = new Promise<void>((res, rej) => {
    onReady = res;
    onFail = rej;
  });
  const timer = setTimeout(() => onFail(new Error(`the fixture did not get ready in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    if (ready.test(stdout)) {
      clearTimeout(timer);
      onReady();
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<BinResult>((res) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      onFail(new Error(`the fixture exited (${code ?? signal}) before it was ready: ${stderr}`));
      res({ code, signal, stdout, stderr });
    });
  });
  return { ready: readyP, done };
}

/** leak-profile --pid PID --json with the given flags; the parsed report and the raw result. */
export async function profilePid(pid: number, flags: string[], opts: { cwd?: string } = {}): Promise<{ r: BinResult; rep: ProfileReport }> {
  const r = await runBin('leak-profile', ['--pid', String(pid), ...flags, '--json'], { cwd: opts.cwd });
  if (r.code !== 0) throw new Error(`leak-profile exited ${r.code}: ${r.stderr}`);
  return { r, rep: JSON.parse(r.stdout) as ProfileReport };
}

/** MB/min as leak-profile reports it. */
export const mbPerMin = (bytesPerMin: number | null | undefined): number => (bytesPerMin ?? NaN) / 1048576;

/** Assert-friendly: |got - want| / want. */
export const relErr = (got: number, want: number): number => Math.abs(got - want) / want;

/**
 * The truth a grower's reported MB/min is checked against: what the target really kept over the census
 * window, not its nominal pace. Fixtures pace themselves by their own clock; on a loaded box they fall
 * behind and catch up in bursts, so over a few seconds the real rate can be half the nominal one. The
 * census's own count of new objects says how many were made between the first and the last census:
 * `count_delta` objects of `bytesPerObject` each (a step's bytes over the objects it adds), per minute
 * of the span between those censuses. Counted at the wrong size (views counted again, saved tensors
 * left out) it is off by as much as on a quiet box.
 */
export function keptMbPerMin(rep: ProfileReport, top: GrowingType, bytesPerObject: number): number {
  const spanMin = (rep.snapshots[rep.snapshots.length - 1]!.t_s - rep.snapshots[0]!.t_s) / 60;
  return (top.count_delta * bytesPerObject) / spanMin / 1048576;
}
