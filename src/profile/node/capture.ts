// Live capture from a running Node process: open its inspector the way Node documents it (SIGUSR1),
// find the port it really opened, take heap snapshots over CDP streamed to 0600 files, then close
// the inspector again (an open inspector is remote code execution for anyone on the host). Loopback
// only, never a stopped target, and a dead-man's switch in the target from the first moment.
import { writeSync } from 'node:fs';
import { LeakError, notFoundError, permissionError, storageError } from '../../errors.js';
import { CdpSession, debuggerUrl } from './cdp-session.js';
import { listeningSockets, whoListensOn, type ListeningSocket } from './inspector-port.js';
import { startSentinel } from './inspector-sentinel.js';
import { readProcStat } from '../../track/proc-stat.js';
import { inspectAddress, isLoopbackHost, type InspectAddress } from './inspector-address.js';
import { armDeadManSwitch, CLOSE_INSPECTOR, DEADMAN_GRACE_S } from './dead-man-switch.js';
import { memoryHeadroom } from '../memory-headroom.js';
import { catchesSignal, refuseIfStopped } from '../proc-state.js';
import { abortSignalName, Interrupted, raceAbort } from '../interrupted.js';
import { formatMb, MiB } from '../../units.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SIGUSR1 = 10;

export interface Inspector {
  session: CdpSession;
  port: number;
  /** True when the target already had an inspector open: we leave it as we found it. */
  preexisting: boolean;
  /** Stops renewing the dead-man's switch (absent on a preexisting inspector: none is armed). */
  stopRenewing?: () => void;
  /** Set when the target began to exit: our session was dropped at once so it is not held alive. */
  exited: boolean;
}

const NOT_LOOPBACK_HELP =
  'anyone who can reach this host could run code in the target; restart it with --inspect=127.0.0.1:0 (or without the option), ' +
  'or start it with --heapsnapshot-signal=SIGUSR2, send SIGUSR2 a few times and run leak-profile --snapshot on the files';

/** Connect to the target's inspector, activating it with SIGUSR1 if it is not open yet. */
export async function openInspector(pid: number, signal?: AbortSignal): Promise<Inspector> {
  const before = listeningSockets(pid);
  for (const s of before) {
    const url = await debuggerUrl(s);
    if (!url) continue;
    if (!s.loopback) throw new LeakError('unsupported', `PID ${pid}'s inspector already listens on ${s.address}:${s.port}, beyond loopback; leak-profile will not use it: ${NOT_LOOPBACK_HELP}`);
    return attach(pid, url, s.port, true);
  }
  refuseIfStopped(pid, 'send it SIGUSR1');
  const addr = inspectAddress(pid);
  if (!isLoopbackHost(addr.host)) {
    throw new LeakError('unsupported', `PID ${pid}'s inspector would open on ${addr.host}:${addr.port} (${addr.source}), beyond loopback, so leak-profile will not send it SIGUSR1: ${NOT_LOOPBACK_HELP}`);
  }
  if (!catchesSignal(pid, SIGUSR1)) {
    // SIGUSR1's default action is to terminate: never send it to a process that does not handle it.
    throw new LeakError(
      'unsupported',
      `PID ${pid} does not handle SIGUSR1 (started with --disable-sigusr1?), so it cannot open its inspector and the signal would kill it; ` +
        `start it with --heapsnapshot-signal=SIGUSR2, send SIGUSR2 a few times and run leak-profile --snapshot on the files, or start it with --inspect`,
    );
  }
  const st = readProcStat(pid);
  if (!st) throw notFoundError(`no process with PID ${pid} (it exited)`);
  const sentinel = await startSentinel(pid, st.startTicks, before.map((s) => s.port));
  try {
    return await signalAndAttach(pid, before, addr, signal);
  } finally {
    sentinel.release();
  }
}

/** SIGUSR1, then find the port it opened and attach (arming the dead-man's switch); or say why not. */
async function signalAndAttach(pid: number, before: ListeningSocket[], addr: InspectAddress, signal?: AbortSignal): Promise<Inspector> {
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw notFoundError(`no process with PID ${pid} (it exited)`);
    throw permissionError(`cannot signal PID ${pid} (${code}); run as its user or as root`, e);
  }
  // Not abortable: what SIGUSR1 opened must be found and closed even if we are asked to stop.
  const deadline = Date.now() + 5000;
  const old = new Set(before.map((s) => s.port));
  const unanswered = new Set<number>();
  while (Date.now() < deadline) {
    for (const s of listeningSockets(pid).filter((x) => !old.has(x.port))) {
      const url = await debuggerUrl(s);
      let ins: Inspector;
      try {
        if (!url) throw new Error('no debugger');
        ins = await attach(pid, url, s.port, false);
      } catch {
        unanswered.add(s.port); // try again until the deadline
        continue;
      }
      unanswered.delete(s.port);
      if (!s.loopback) {
        const w = await closeInspector(pid, ins);
        throw new LeakError('unsupported', `PID ${pid}'s inspector opened on ${s.address}:${s.port}, beyond loopback (set where leak-profile cannot see it); ${w ?? 'leak-profile closed it again at once (port verified closed)'}; ${NOT_LOOPBACK_HELP}`);
      }
      return ins;
    }
    await sleep(100);
  }
  const stray = [...unanswered].filter((p) => listeningSockets(pid).some((s) => s.port === p));
  if (stray.length > 0) {
    throw new LeakError('unsupported', `PID ${pid} opened port ${stray.join(', ')} after SIGUSR1 but it never answered leak-profile as an inspector; if it is one it is still open: check with ss -ltnp and restart the process when you can`);
  }
  const sig = abortSignalName(signal);
  if (sig) throw new Interrupted(sig, `PID ${pid} opened no inspector within 5 s of SIGUSR1, so none is left open`);
  const holder = addr.port !== 0 ? whoListensOn(addr.port, pid, pid) : null;
  if (holder) {
    throw new LeakError(
      'unsupported',
      `PID ${pid} did not open its inspector on SIGUSR1: port ${addr.port}, where it opens, is held by ${holder.pid ? `PID ${holder.pid} (${holder.comm})` : holder.comm}; ` +
        `stop that process or free the port, or start the target with --inspect-port=127.0.0.1:0, and run leak-profile again`,
    );
  }
  throw new LeakError(
    'unsupported',
    `PID ${pid} did not open its inspector on SIGUSR1 (started with --disable-sigusr1, or a SIGUSR1 handler swallows it); ` +
      `start it with --heapsnapshot-signal=SIGUSR2, send SIGUSR2 a few times and run leak-profile --snapshot on the files, or start it with --inspect`,
  );
}

async function attach(pid: number, url: string, port: number, preexisting: boolean): Promise<Inspector> {
  let session: CdpSession;
  try {
    session = await CdpSession.connect(url);
  } catch (e) {
    throw new LeakError('unsupported', `cannot connect to the inspector on port ${port}: ${(e as Error).message}`);
  }
  const ins: Inspector = { session, port, preexisting, exited: false };
  // A target that exits waits for every session to detach ("Waiting for the debugger to disconnect"):
  // it announces that by destroying its context, and we let go at once.
  session.on('Runtime.executionContextDestroyed', () => {
    ins.exited = true;
    session.terminate();
  });
  try {
    if (!preexisting) ins.stopRenewing = await armDeadManSwitch(session);
    await session.send('Runtime.enable', {}, 10_000);
  } catch (e) {
    // Whatever failed, what SIGUSR1 opened is closed before the error goes up.
    if (!preexisting) await closeInspector(pid, ins);
    else session.close();
    throw e instanceof LeakError ? e : new LeakError('unsupported', `the inspector on port ${port} did not answer: ${(e as Error).message}`);
  }
  return ins;
}

/**
 * Close an inspector we opened and verify the port is gone, waiting at most `waitMs` (a snapshot in
 * progress holds the close request back). Returns a warning if it is still open.
 */
export async function closeInspector(pid: number, ins: Inspector, waitMs = 10_000): Promise<string | null> {
  ins.stopRenewing?.();
  if (ins.preexisting) {
    ins.session.close();
    return null;
  }
  // process._debugEnd() tears the session down, so the call never answers: watch the port instead.
  ins.session.fire('Runtime.evaluate', { expression: CLOSE_INSPECTOR });
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (!listeningSockets(pid).some((s) => s.port === ins.port)) {
      ins.session.close();
      return null;
    }
    await sleep(100);
  }
  ins.session.close();
  return (
    `the inspector of PID ${pid} still listens on 127.0.0.1:${ins.port} (its main thread is busy, e.g. finishing a snapshot); ` +
    `its dead-man's switch closes it ${DEADMAN_GRACE_S} s after the thread is free; check with: ss -ltnp 'sport = :${ins.port}'`
  );
}

export interface Captured {
  file: string;
  pause_s: number;
  heapUsed: number;
}

/**
 * Take one snapshot into `fd` (the caller creates it exclusively, mode 0600, and owns it; `file`
 * names it in messages). Refuses (unless `force`) when serialising it could push the box or its
 * container into the OOM killer: V8 needs several times the heap in use. A write failure (disk
 * full) is a storage error. `afterGc` runs between the GC and the snapshot (the budget's reading).
 */
export async function captureSnapshot(pid: number, ins: Inspector, fd: number, file: string, force: boolean, warn: (m: string) => void, signal?: AbortSignal, afterGc?: () => Promise<void>): Promise<Captured> {
  const s = ins.session;
  const usage = await raceAbort(s.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage'), signal);
  if (typeof usage !== 'object' || usage === null || !Number.isFinite(usage.usedSize) || usage.usedSize < 0) {
    throw new LeakError('unsupported', `PID ${pid}'s inspector answered Runtime.getHeapUsage without a heap size in bytes; it does not speak the DevTools protocol as Node does, so no snapshot was taken`);
  }
  const need = usage.usedSize * 10;
  const room = memoryHeadroom(pid);
  if (need > 0.8 * room.bytes) {
    const msg = `a snapshot of PID ${pid} (${formatMb(usage.usedSize / MiB)} heap in use) may need ~${formatMb(need / MiB)} while ${room.source} leaves ${formatMb(room.bytes / MiB)}`;
    if (!force) throw new LeakError('unsupported', `${msg}; refusing to risk the OOM killer (pass --force to take it anyway)`);
    warn(`${msg}; going ahead because of --force`);
  } else if (need > 0.5 * room.bytes) {
    warn(`a snapshot of PID ${pid} may need ~${formatMb(need / MiB)}; ${room.source} leaves ${formatMb(room.bytes / MiB)}`);
  }
  let failed: NodeJS.ErrnoException | null = null;
  let onFail: (e: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => (onFail = reject));
  failure.catch(() => {});
  s.on('HeapProfiler.addHeapSnapshotChunk', (p) => {
    if (failed) return;
    if (typeof p.chunk !== 'string') {
      // Not text: no inspector sends that. Refuse (exit 3: the target), not "free some space".
      failed = Object.assign(new Error('bad chunk'), { code: 'EPROTO' });
      onFail(new LeakError('unsupported', `PID ${pid}'s inspector sent a heap snapshot chunk that is ${p.chunk === null ? 'null' : `a ${typeof p.chunk}`}, not text; it does not speak the DevTools protocol as Node does, so the snapshot was discarded`));
      return;
    }
    try {
      writeSync(fd, p.chunk);
    } catch (e) {
      failed = e as NodeJS.ErrnoException;
      onFail(storageError(`cannot write the heap snapshot to ${file}: ${failed.code === 'ENOSPC' ? 'no space left on the device (ENOSPC)' : failed.code}; free some space or give --out a directory on a bigger filesystem`));
    }
  });
  try {
    await raceAbort(Promise.race([s.send('HeapProfiler.collectGarbage', {}, 120_000), failure]), signal);
    if (afterGc) await raceAbort(afterGc(), signal); // the growth budget's reading before the snapshot allocates
    const t0 = performance.now();
    await raceAbort(Promise.race([s.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, 30 * 60_000), failure]), signal);
    const pause_s = (performance.now() - t0) / 1000;
    if (failed) await failure;
    return { file, pause_s, heapUsed: usage.usedSize };
  } finally {
    s.on('HeapProfiler.addHeapSnapshotChunk', () => {});
  }
}
