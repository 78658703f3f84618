// The tracking core shared by the CLI, the library API and the Prometheus exporter: resolve (or launch)
// the target, sample it into one SessionWriter session until duration, target exit or abort, close the
// session with why it ended, and make sure a command we launched is never left behind.
import type { Db } from '../store/open-db.js';
import { rescueDb } from '../store/rescue-db.js';
import { LeakError, storageError } from '../errors.js';
import { SessionWriter } from '../store/session-writer.js';
import { findMatching, findTrainingCandidates, pickTarget, targetFromPid, type Target } from './discover.js';
import { launchCommand, type Launched } from './launch.js';
import { runSampler, type EndReason, type TickSummary } from './sampler.js';
import { findNvidiaSmi } from './nvidia-smi.js';
import type { ProcessSource } from './process-source.js';
import { memoryLimitOf } from './memory-limit.js';

/** What to track: a PID, a command-line regex, the training job, a command to launch, or a target found already. */
export type TrackTarget =
  | { kind: 'pid'; pid: number }
  | { kind: 'match'; pattern: string }
  | { kind: 'find-training' }
  | { kind: 'launch'; command: string[] }
  | { kind: 'resolved'; target: Target };

export interface TrackSessionOptions {
  target: TrackTarget;
  intervalS: number;
  /** 0 = until the target exits or `signal` aborts. */
  durationS: number;
  children: boolean;
  db: Db;
  /** Session label; default "NAME PID". */
  label?: string | null;
  source: ProcessSource;
  /** nvidia-smi path or null for none; undefined = look it up (PATH, $LEAK_DETECTIVE_NVIDIA_SMI). */
  nvidiaSmi?: string | null;
  env?: NodeJS.ProcessEnv;
  /**
   * Ends the session early. Abort with a signal name (`controller.abort('SIGTERM')`) to have it recorded
   * as such and forwarded to a launched command; any other reason is recorded as 'aborted'.
   */
  signal?: AbortSignal;
  /** Launch mode: receive the command's output instead of letting it inherit our stdout/stderr. */
  onLaunchOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Launch mode without onLaunchOutput: the command's stdout goes to our stderr (keeps stdout for JSON). */
  launchStdoutToStderr?: boolean;
  /** Called once the target is known and the session row exists, before the first sample. */
  onStart?: (info: { target: Target; sessionId: number; nvidiaSmi: string | null }) => void;
  /** Every committed tick, with each process's info and sample (see TickSummary.rows). */
  onTick?: (tick: TickSummary) => void;
  /** Conditions said once while sampling (fallbacks, children joining/leaving). */
  onNotice?: (message: string) => void;
  /** Progress lines after sampling (stopping a launched command, the target's exit status). */
  onProgress?: (line: string) => void;
  /** Asked when the duration is reached: true keeps sampling (leak-track --explain: a profile is under way). */
  keepSampling?: () => boolean;
  /** How long a launched command gets to exit after SIGTERM (or the forwarded signal) before SIGKILL. */
  stopGraceMs?: number;
}

export interface TrackSessionResult {
  sessionId: number;
  target: Target;
  /** Why sampling stopped. */
  reason: EndReason;
  /** What was written to sessions.end_reason. */
  endReason: string;
  /** The signal name the run was aborted with, if any. */
  signal: NodeJS.Signals | null;
  /** A launched command's exit status (128+N when killed by signal N); null when none or it was stopped by us. */
  childCode: number | null;
}

const SIGNAL_END_REASONS: Partial<Record<NodeJS.Signals, string>> = { SIGINT: 'interrupted', SIGTERM: 'terminated', SIGHUP: 'hangup' };

/** Track one target into a new session of `db`; every finished tick is committed before the next starts. */
export async function trackSession(o: TrackSessionOptions): Promise<TrackSessionResult> {
  const signal = o.signal ?? new AbortController().signal;
  let launched: Launched | null = null;
  let target: Target;
  if (o.target.kind === 'launch') {
    launched = await launchCommand(o.target.command, o.source, Boolean(o.onLaunchOutput), o.onLaunchOutput, { stdoutToStderr: o.launchStdoutToStderr });
    target = launched.target;
  } else {
    target = await resolveTarget(o.target, o.source);
  }
  const stopChild = launched ? forwardAbortTo(launched, signal) : () => {};
  try {
    const nvidiaSmi = o.nvidiaSmi === undefined ? findNvidiaSmi(o.env ?? process.env) : o.nvidiaSmi;
    const writer = new SessionWriter(o.db, {
      label: o.label ?? `${target.name} ${target.pid}`,
      interval_s: o.intervalS,
      target: target.cmdline || target.name,
      mem_limit: o.source.kind === 'procfs' ? memoryLimitOf(target.pid) : null,
    });
    o.onStart?.({ target, sessionId: writer.sessionId, nvidiaSmi });
    const reason = await runSampler({
      root: { pid: target.pid, startTicks: target.startTicks },
      intervalMs: o.intervalS * 1000,
      durationMs: o.durationS * 1000,
      children: o.children,
      signal,
      writer,
      source: o.source,
      nvidiaSmi,
      onTick: o.onTick,
      onNotice: o.onNotice,
      keepGoing: o.keepSampling,
    }).catch(async (e: unknown) => {
      if (!(e instanceof LeakError && e.code === 'storage')) throw e;
      throw await failStorage(e, writer, launched, target, o);
    });
    const sig = abortSignalName(signal);
    const endReason = signal.aborted ? (sig ? (SIGNAL_END_REASONS[sig] ?? 'aborted') : 'aborted') : reason;
    try {
      writer.end(endReason);
    } catch (e) {
      throw e instanceof LeakError && e.code === 'storage' ? await failStorage(e, writer, launched, target, o) : e;
    }
    const childCode = launched ? await settleLaunched(launched, reason, signal.aborted, target, o) : null;
    if (reason === 'target-exited') {
      o.onProgress?.(`${target.name} ${target.pid} exited${childCode !== null && childCode >= 0 ? ` with status ${childCode}` : ''}`);
    }
    return { sessionId: writer.sessionId, target, reason, endReason, signal: sig, childCode };
  } finally {
    stopChild();
    if (launched && !launched.hasExited()) launched.child.kill('SIGKILL'); // never orphan what we launched
  }
}

/** Resolve a PID, a regex or the training job to one target (exit 3 when there is none). */
export async function resolveTarget(t: TrackTarget, source: ProcessSource): Promise<Target> {
  if (t.kind === 'resolved') return t.target;
  if (t.kind === 'pid') return targetFromPid(t.pid, source);
  if (t.kind === 'match') return (await pickTarget(await findMatching(t.pattern, source), `no running process's command line matches /${t.pattern}/`, source)).target;
  if (t.kind === 'launch') throw new Error('resolveTarget: launch targets are started by trackSession');
  const picked = await pickTarget(
    await findTrainingCandidates(source),
    'no training process found (looked for python …train*.py, torchrun, accelerate launch, deepspeed, -m torch.distributed.run, lightning, trl/axolotl/llamafactory, model-garden serve, node …train…); pass a PID or --match REGEX',
    source,
  );
  return picked.target;
}

/**
 * Storage failed mid-run: close the session if the DB still takes it, rescue the committed ticks when the
 * file was removed, stop a launched command, and say where the committed samples can be read.
 */
async function failStorage(e: LeakError, writer: SessionWriter, launched: Launched | null, target: Target, o: TrackSessionOptions): Promise<LeakError> {
  let closed = false;
  try {
    writer.end('storage-failed');
    closed = true;
  } catch { /* the storage that just failed may refuse this too */ }
  let where = `they stay readable: leak-report --db ${o.db.name} --session ${writer.sessionId}`;
  if (/was removed|replaced/.test(e.message)) {
    const rescued = rescueDb(o.db);
    where = rescued ? `they were rescued to ${rescued}: leak-report --db ${rescued} --session ${writer.sessionId}` : 'they could not be rescued';
  }
  if (launched && !launched.hasExited()) {
    o.onProgress?.(`stopping ${target.name} ${target.pid}, which leak-track launched, since nothing more can be recorded`);
    launched.child.kill('SIGTERM');
    await settleLaunched(launched, 'aborted', true, target, o);
  }
  const n = writer.ticksCommitted;
  const told = `${e.message}; ${n} tick${n === 1 ? '' : 's'} committed before it${closed ? '' : ' (session left open)'}: ${where}`;
  return storageError(told, e);
}

function abortSignalName(signal: AbortSignal): NodeJS.Signals | null {
  const r: unknown = signal.reason;
  return signal.aborted && typeof r === 'string' && /^SIG[A-Z]+$/.test(r) ? (r as NodeJS.Signals) : null;
}

/** On abort, pass the signal (SIGTERM for a non-signal abort) on to the launched command at once. */
function forwardAbortTo(launched: Launched, signal: AbortSignal): () => void {
  const onAbort = () => {
    if (!launched.hasExited()) launched.child.kill(abortSignalName(signal) ?? 'SIGTERM');
  };
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/**
 * After sampling: a launched command still running at the end of the duration is stopped (it would be
 * orphaned with nowhere to write); after an abort it already got the signal and has the grace period to
 * exit; when it ended on its own its status is returned. Escalates to SIGKILL after the grace period.
 */
async function settleLaunched(launched: Launched, reason: EndReason, aborted: boolean, target: Target, o: TrackSessionOptions): Promise<number | null> {
  const graceMs = o.stopGraceMs ?? 5000;
  const exitedWithin = (ms: number) =>
    Promise.race([launched.exited, new Promise<number>((r) => setTimeout(r, ms, -1).unref())]);
  if (reason === 'duration' && !aborted && !launched.hasExited()) {
    // Tracking is what we were asked to do; a launched job left behind would be orphaned with
    // nowhere to write. Stop it like Ctrl-C would, then harder if it does not listen.
    o.onProgress?.(`duration reached; stopping ${target.name} ${target.pid}, which leak-track launched (use --duration 0 to track it until it exits)`);
    launched.child.kill('SIGTERM');
    if ((await exitedWithin(graceMs)) === -1) launched.child.kill('SIGKILL');
    return null;
  }
  const code = await exitedWithin(graceMs);
  if (code === -1 && !launched.hasExited()) {
    o.onProgress?.(`${target.name} ${target.pid}, which leak-track launched, did not exit within ${graceMs / 1000} s; killing it`);
    launched.child.kill('SIGKILL');
  }
  return code;
}
