// Profiling a fixture across one burst of growth the test itself causes and measures: leak-profile
// takes its first capture, the test reads the target's USS from /proc, signals the fixture to grow,
// waits for it to say it grew, reads USS again, and leak-profile takes its last capture afterwards.
import type { ChildProcess } from 'node:child_process';
import type { ProfileReport } from '../../src/types.js';
import { readSmapsRollup } from '../../src/track/smaps-rollup.js';
import { collect, startBin, waitFor } from './procs.js';
import { startPython } from './python.js';
import { watch } from './profile-run.js';

export const uss = (pid: number): number => {
  const r = readSmapsRollup(pid);
  if (!r.ok) throw new Error(`smaps_rollup of ${pid}: ${r.reason}`);
  return r.reading.uss;
};

export interface AcrossGrowth {
  rep: ProfileReport;
  /** USS growth of the burst, read by the test from /proc. */
  grown: number;
  stderr: string;
}

/**
 * `fixture` prints "grew" on `signal`; `firstDone` matches leak-profile's progress line once its first
 * capture is complete, `lastStarts` the line that starts the last one (which must come after "grew").
 * The second USS reading is taken at "grew", before the last capture (Node: the budget's window ends just
 * before the last snapshot, so what that snapshot leaves in the target is in neither).
 */
export async function profileAcrossGrowth(fixture: ChildProcess, signal: NodeJS.Signals, firstDone: RegExp, lastStarts: RegExp, flags: string[] = []): Promise<AcrossGrowth> {
  let out = '';
  fixture.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const cli = startBin('leak-profile', ['--pid', String(fixture.pid), '--snapshots', '2', '--interval', '4', '--json', ...flags]);
  let err = '';
  cli.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const result = collect(cli);
  await waitFor(() => firstDone.test(err) || cli.exitCode !== null, 60_000, 'the first capture');
  const before = uss(fixture.pid!);
  fixture.kill(signal);
  await waitFor(() => /^grew/m.test(out), 30_000, 'the fixture to grow');
  const early = lastStarts.test(err);
  const after = uss(fixture.pid!);
  if (early) throw new Error(`the last capture began before the fixture finished growing (a box too slow for a 4 s interval): ${err}`);
  const r = await result;
  if (r.code !== 0) throw new Error(`leak-profile exited ${r.code}: ${r.stderr}`);
  return { rep: JSON.parse(r.stdout) as ProfileReport, grown: after - before, stderr: r.stderr };
}

/** The bytes of one budget part (throws when the report has no budget or not that part). */
export function partBytes(rep: ProfileReport, key: string): number {
  const p = rep.budget?.parts.find((x) => x.key === key);
  if (!p) throw new Error(`no budget part ${key}: ${JSON.stringify(rep.budget ?? rep.warnings)}`);
  return p.bytes;
}

/** Python's two censuses, as the budget tests read them. */
const FIRST_CENSUS = /census 1\/2: [\d,]+ objects/;
const LAST_CENSUS = /census 2\/2: injecting/;
export const within15 = (got: number, want: number): boolean => Math.abs(got - want) <= 0.15 * want;
export const showBudget = (rep: { budget?: { verdict: string } }): string => rep.budget?.verdict ?? 'no budget';

/** py_budget_target.py of `kind` (48 MB burst on SIGUSR1) profiled across its growth. */
export async function runPythonBudget(python: string, kind: string, flags: string[] = []): Promise<AcrossGrowth & { p: ChildProcess }> {
  const p = startPython(python, 'py_budget_target.py', ['--kind', kind, '--mb', '48']);
  const w = watch(p);
  await w.ready;
  return { p, ...(await profileAcrossGrowth(p, 'SIGUSR1', FIRST_CENSUS, LAST_CENSUS, flags)) };
}
