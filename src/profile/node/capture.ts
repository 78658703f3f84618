// Live capture from a running Node process: open its inspector the way Node documents it (SIGUSR1),
// find the port it really opened, take heap snapshots over CDP streamed to 0600 files, then close
// the inspector again (an open inspector is remote code execution for anyone on the host).
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { LeakError, permissionError } from '../../errors.js';
import { CdpSession } from './cdp-session.js';
import { listeningPorts } from './inspector-port.js';
import { memoryHeadroom } from '../memory-headroom.js';
import { formatMb, MiB } from '../../units.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Inspector {
  session: CdpSession;
  port: number;
  /** True when the target already had an inspector open: we leave it as we found it. */
  preexisting: boolean;
}

async function debuggerUrl(port: number): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2000) });
    const list = (await res.json()) as { webSocketDebuggerUrl?: string }[];
    return list[0]?.webSocketDebuggerUrl ?? null;
  } catch {
    return null;
  }
}

/** Does the process catch SIGUSR1 (bit 9 of SigCgt in /proc/PID/status)? */
function catchesSigusr1(pid: number): boolean {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? (BigInt(`0x${m[1]}`) & (1n << 9n)) !== 0n : false;
  } catch {
    return false;
  }
}

/** Connect to the target's inspector, activating it with SIGUSR1 if it is not open yet. */
export async function openInspector(pid: number): Promise<Inspector> {
  const before = listeningPorts(pid);
  for (const port of before) {
    const url = await debuggerUrl(port);
    if (url) return { session: await CdpSession.connect(url), port, preexisting: true };
  }
  if (!catchesSigusr1(pid)) {
    // SIGUSR1's default action is to terminate: never send it to a process that does not handle it.
    throw new LeakError(
      'unsupported',
      `PID ${pid} does not handle SIGUSR1 (started with --disable-sigusr1?), so it cannot open its inspector and the signal would kill it; ` +
        `start it with --heapsnapshot-signal=SIGUSR2, send SIGUSR2 a few times and run leak-profile --snapshot on the files, or start it with --inspect`,
    );
  }
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (e) {
    throw permissionError(`cannot signal PID ${pid} (${(e as NodeJS.ErrnoException).code}); run as its user or as root`, e);
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    for (const port of listeningPorts(pid).filter((p) => !before.includes(p))) {
      const url = await debuggerUrl(port);
      if (url) return { session: await CdpSession.connect(url), port, preexisting: false };
    }
    await sleep(100);
  }
  throw new LeakError(
    'unsupported',
    `PID ${pid} did not open its inspector on SIGUSR1 (started with --disable-sigusr1, or a SIGUSR1 handler swallows it); ` +
      `start it with --heapsnapshot-signal=SIGUSR2, send SIGUSR2 a few times and run leak-profile --snapshot on the files, or start it with --inspect`,
  );
}

/** Close an inspector we opened and verify the port is gone; returns a warning if it is not. */
export async function closeInspector(pid: number, ins: Inspector): Promise<string | null> {
  if (ins.preexisting) {
    ins.session.close();
    return null;
  }
  // process._debugEnd() tears the session down, so the call never answers: bound the wait.
  ins.session.fire('Runtime.evaluate', { expression: 'process._debugEnd()' });
  await Promise.race([ins.session.closed, sleep(2000)]);
  ins.session.close();
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    if (!listeningPorts(pid).includes(ins.port)) return null;
    await sleep(100);
  }
  return `the inspector of PID ${pid} still listens on 127.0.0.1:${ins.port}; anyone on this host can run code in it: restart the process when you can`;
}

export interface Captured {
  file: string;
  pause_s: number;
  heapUsed: number;
}

/**
 * Take one snapshot into `file` (mode 0600). Refuses (unless `force`) when serialising it could
 * push the box or its container into the OOM killer: V8 needs several times the heap in use.
 */
export async function captureSnapshot(pid: number, ins: Inspector, file: string, force: boolean, warn: (m: string) => void): Promise<Captured> {
  const s = ins.session;
  const usage = await s.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
  const need = usage.usedSize * 10;
  const room = memoryHeadroom(pid);
  if (need > 0.8 * room.bytes) {
    const msg = `a snapshot of PID ${pid} (${formatMb(usage.usedSize / MiB)} heap in use) may need ~${formatMb(need / MiB)} while ${room.source} leaves ${formatMb(room.bytes / MiB)}`;
    if (!force) throw new LeakError('unsupported', `${msg}; refusing to risk the OOM killer (pass --force to take it anyway)`);
    warn(`${msg}; going ahead because of --force`);
  } else if (need > 0.5 * room.bytes) {
    warn(`a snapshot of PID ${pid} may need ~${formatMb(need / MiB)}; ${room.source} leaves ${formatMb(room.bytes / MiB)}`);
  }
  const out = createWriteStream(file, { mode: 0o600 });
  s.on('HeapProfiler.addHeapSnapshotChunk', (p) => out.write(p.chunk as string));
  await s.send('HeapProfiler.collectGarbage', {}, 120_000);
  const t0 = performance.now();
  await s.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, 30 * 60_000);
  const pause_s = (performance.now() - t0) / 1000;
  out.end();
  await once(out, 'close');
  return { file, pause_s, heapUsed: usage.usedSize };
}
