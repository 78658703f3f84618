// leak-profile on a live Node process: N snapshots `interval` apart through the inspector, the
// inspector closed again (whatever ended the run: done, error, signal, the target exiting), then the
// offline analysis of the files.
import { closeSync, existsSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProfileReport } from '../../types.js';
import { isLeakError, LeakError, notFoundError, usageError } from '../../errors.js';
import { checkExistingFile, createFileExclusive, openAtomicFile, type AtomicFile } from '../../safe-files.js';
import { analyzeSnapshotsInParallel, type SnapshotInput } from './analyze-snapshots.js';
import { captureSnapshot, closeInspector, openInspector, type Inspector } from './capture.js';
import { DEADMAN_GRACE_S } from './dead-man-switch.js';
import { readNodeMemory } from './memory-usage.js';
import { nodeBudget } from '../budget/compose.js';
import type { NodeBudgetReading, NodeCapture } from '../budget/types.js';
import { startNativeTrace, type NativeSites, type NativeTrace } from '../native/trace-native.js';
import { abortableSleep, abortSignalName, AbortedError, Interrupted } from '../interrupted.js';

export interface NodeProfileOptions {
  pid: number;
  snapshots: number;
  interval_s: number;
  top: number;
  /** A directory already checked by prepareOutDir, or null: unnamed temp files (see openSnapshotFile). */
  outDir: string | null;
  force?: boolean;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** Collect garbage between the snapshots' analyses (the CLI; see collect-garbage.ts). */
  collectBetweenFiles?: boolean;
  /** Told when a capture starts and ends (the target paused): leak-track --explain records the windows. */
  onCapture?: (phase: 'start' | 'end') => void;
  /** Follow the target's C allocations with bpftrace between the first and the last capture. */
  nativeSites?: boolean;
}

/** Capture and analyse; the target keeps running, its inspector closed (unless it was open before). */
export async function profileNode(o: NodeProfileOptions): Promise<ProfileReport> {
  const say = o.onProgress ?? (() => {});
  const files = Array.from({ length: o.snapshots }, (_, i) => `${o.pid}-${i + 1}.heapsnapshot`);
  if (o.outDir) {
    // Every name must be free: a link planted there (dangling or not) or another user's file is refused
    // by name, anything else of ours counts as taken.
    for (const f of files) {
      if (checkExistingFile(path.join(o.outDir, f), `--out ${o.outDir}`)) throw usageError(`--out ${o.outDir} already holds ${f}; give an empty directory or remove the old snapshots`);
    }
  }
  const warnings: string[] = [];
  const warn = (m: string) => (warnings.push(m), say(`warning: ${m}`));
  const inputs: SnapshotInput[] = [];
  const fds: number[] = [];
  const readings: { before?: NodeBudgetReading | string; after?: NodeBudgetReading | string }[] = [];
  const native: { trace: NativeTrace | null; result: NativeSites | string | null } = { trace: null, result: null };
  try {
    const ins = await openInspector(o.pid, o.signal);
    say(`${ins.preexisting ? 'using the inspector already open' : `opened the inspector (dead-man's switch armed: it closes itself ${DEADMAN_GRACE_S} s after leak-profile stops renewing it)`} on 127.0.0.1:${ins.port}`);
    let failure: unknown = null;
    try {
      await takeSnapshots(o, ins, files, inputs, fds, warn, say, readings, native);
    } catch (e) {
      failure = e;
    }
    const sig = abortSignalName(o.signal);
    const closed = await closeInspector(o.pid, ins, sig ? 20_000 : 10_000);
    const state = ins.preexisting ? `the inspector of PID ${o.pid} was open before and is left open` : closed ?? `the inspector of PID ${o.pid} is closed (port ${ins.port} verified closed)`;
    if (sig) throw new Interrupted(sig, state);
    if (closed) warn(closed);
    else if (!ins.preexisting) say(`inspector closed; port ${ins.port} verified closed`);
    if (failure) throw explain(failure, o.pid, ins);
    const report = await analyzeSnapshotsInParallel(inputs, { top: o.top, onProgress: say, collectBetweenFiles: o.collectBetweenFiles });
    report.target = { pid: o.pid, runtime: 'node' };
    if (!o.outDir) for (const sn of report.snapshots) sn.file = null; // unnamed files, gone with their descriptors
    const why = readings.flatMap((r) => [r.before, r.after]).find((r): r is string => typeof r === 'string');
    const budget = why ? null : nodeBudget(readings.filter((r) => r.before && r.after) as NodeCapture[]);
    if (budget) report.budget = budget;
    else warn(`no growth budget: ${why ?? 'fewer than two readings'}`);
    if (typeof native.result === 'string') warn(`--native-sites: ${native.result}`);
    else if (native.result) report.native_sites = native.result;
    if (warnings.length) report.warnings = warnings;
    return report;
  } finally {
    if (native.trace) await native.trace.stop();
    for (const fd of fds) closeSync(fd);
  }
}

/**
 * The file a snapshot is written to: in --out, a temp file beside its name, put in place whole once
 * the capture is complete (src/safe-files.ts; a failed capture leaves nothing); otherwise created in
 * the temp directory and unlinked at once, so even `kill -9` of leak-profile leaves no file behind (it
 * is read back through /proc/self/fd).
 */
function openSnapshotFile(o: NodeProfileOptions, name: string, fds: number[]): { fd: number; file: string; readPath: string; out: AtomicFile | null } {
  if (o.outDir) {
    const out = openAtomicFile(path.join(o.outDir, name), '--out', { replace: false });
    return { fd: out.fd, file: out.dest, readPath: out.dest, out };
  }
  const file = path.join(tmpdir(), `leak-profile-${randomBytes(8).toString('hex')}-${name}`);
  const fd = createFileExclusive(file, 'a heap snapshot');
  fds.push(fd);
  unlinkSync(file);
  return { fd, file, readPath: `/proc/self/fd/${fd}`, out: null };
}

async function takeSnapshots(o: NodeProfileOptions, ins: Inspector, files: string[], inputs: SnapshotInput[], fds: number[], warn: (m: string) => void, say: (m: string) => void, readings: { before?: NodeBudgetReading | string; after?: NodeBudgetReading | string }[], native: { trace: NativeTrace | null; result: NativeSites | string | null }): Promise<void> {
  const t0 = Date.now();
  for (let i = 0; i < o.snapshots; i++) {
    if (i > 0) await waitInterval(o.interval_s * 1000, ins, o.signal);
    if (native.trace && i === o.snapshots - 1) [native.result, native.trace] = [await native.trace.stop(), null];
    if (o.signal?.aborted) throw new AbortedError();
    const { fd, file, readPath, out } = openSnapshotFile(o, files[i]!, fds);
    say(`snapshot ${i + 1}/${o.snapshots}: taking…`);
    let c;
    const reading: (typeof readings)[number] = {};
    readings.push(reading);
    o.onCapture?.('start');
    try {
      // Read just before the snapshot (after its GC) and just after: what the snapshot itself left in the
      // target is then known, and kept out of the budget's window (see nodeBudget).
      c = await captureSnapshot(o.pid, ins, fd, file, Boolean(o.force), warn, o.signal, async () => void (reading.before = await readNodeMemory(o.pid, ins, (Date.now() - t0) / 1000)));
      out?.commit(); // a partial snapshot is no snapshot: only a complete one gets its name
    } catch (e) {
      out?.discard();
      throw e;
    } finally {
      o.onCapture?.('end');
    }
    const t_s = (Date.now() - t0) / 1000;
    inputs.push({ file: readPath, label: o.outDir ? file : `snapshot ${i + 1}/${o.snapshots}`, t_s, pause_s: Math.round(c.pause_s * 1000) / 1000 });
    reading.after = await readNodeMemory(o.pid, ins, t_s);
    if (i === 0 && o.nativeSites) {
      const t = await startNativeTrace(o.pid, (o.snapshots - 1) * o.interval_s + 120);
      if (typeof t === 'string') native.result = t;
      else (native.trace = t), say(`native allocations followed with bpftrace until the last snapshot: ${t.scope} (bench/README.md §7)`);
    }
    say(`snapshot ${i + 1}/${o.snapshots}: ${o.outDir ? file : 'done'} (target paused ${c.pause_s.toFixed(2)} s)`);
  }
}

/** Sleep between snapshots; a signal or the target exiting (its session dropped) ends the wait at once. */
async function waitInterval(ms: number, ins: Inspector, signal?: AbortSignal): Promise<void> {
  const gone = new AbortController();
  void ins.session.closed.then(() => gone.abort());
  try {
    await abortableSleep(ms, signal ? AbortSignal.any([signal, gone.signal]) : gone.signal);
  } catch (e) {
    if (gone.signal.aborted && !signal?.aborted) throw new Error('inspector connection closed');
    throw e;
  }
}

/** Turn a failure during capture into the error a user can act on. */
function explain(e: unknown, pid: number, ins: Inspector): unknown {
  if (isLeakError(e)) return e;
  if (ins.exited || !existsSync(`/proc/${pid}`)) return notFoundError(`PID ${pid} exited during the profile (leak-profile let go of it at once, so it was not held alive); no report`);
  if (e instanceof Error && /inspector connection closed/.test(e.message)) {
    return new LeakError('unsupported', `PID ${pid}'s inspector connection closed during the profile (its dead-man's switch fires when leak-profile cannot renew it for ${DEADMAN_GRACE_S} s: a box starved of CPU?); run leak-profile again`);
  }
  return e;
}
