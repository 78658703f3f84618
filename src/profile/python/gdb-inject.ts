// Injection through a pending call, not at the ptrace stop: gdb writes a one-line Python snippet into
// an mmap'd page of the target and queues PyRun_SimpleString on it with Py_AddPendingCall, then
// detaches. The interpreter runs it on the main thread at its next safe point. Running Python at an
// arbitrary stop (pyrasite's way) can crash a busy target inside the allocator.
import { spawn } from 'node:child_process';
import { refuseIfStopped } from '../proc-state.js';
import { explainGdbFailure } from './preflight.js';
import { LeakError } from '../../errors.js';

export interface InjectResult {
  /** How long gdb held the target stopped (attach to detach), seconds. */
  stop_s: number;
}

/**
 * Queue `snippet` (< 4 KB of Python) to run in `pid`; `place` writes it to a file only we can write
 * (gdb, as root, reads it) and returns its path.
 */
export async function injectSnippet(pid: number, snippet: string, place: (text: string) => string, timeoutMs = 30_000): Promise<InjectResult> {
  if (Buffer.byteLength(snippet) >= 4000) throw new Error('snippet too long');
  refuseIfStopped(pid, 'attach gdb to it');
  const snippetFile = place(snippet);
  const args = [
    '-batch', '-nx', '-nw', '-p', String(pid),
    // The target's user may control the libraries gdb reads: never run scripts found beside them.
    '-iex', 'set auto-load off',
    '-iex', 'set debuginfod enabled off',
    // Only libc (mmap) and libpython: reading all of torch's ~300 libraries would stop the target for seconds.
    '-iex', 'set auto-solib-add off',
    '-ex', 'sharedlibrary libc.so',
    '-ex', 'sharedlibrary libpython',
    '-ex', 'set unwindonsignal on',
    '-ex', 'set $buf = (char*)mmap(0, 4096, 3, 0x22, -1, 0)',
    '-ex', `restore ${snippetFile} binary $buf`,
    '-ex', 'p (int)Py_AddPendingCall((int(*)(void*))PyRun_SimpleString, (void*)$buf)',
    '-ex', 'detach',
    '-ex', 'quit',
  ];
  const t0 = performance.now();
  const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    // Its own process group: a Ctrl-C meant for leak-profile must not interrupt gdb mid-injection.
    const gdb = spawn('gdb', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    gdb.stdout.on('data', (c) => (out += c));
    gdb.stderr.on('data', (c) => (out += c));
    // Never SIGKILL gdb: it would leave its breakpoint trap in the target, which then dies of SIGTRAP.
    // SIGINT lets gdb detach cleanly.
    const timer = setTimeout(() => gdb.kill('SIGINT'), timeoutMs);
    gdb.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new LeakError('unsupported', 'gdb is not installed; install it (apt-get install gdb)') : e);
    });
    gdb.once('close', (c) => (clearTimeout(timer), resolve({ code: c, out })));
  });
  const stop_s = (performance.now() - t0) / 1000;
  const m = /\$\d+ = (-?\d+)\s*$/m.exec(out);
  if (code !== 0 || !m) throw explainGdbFailure(pid, out);
  if (m[1] !== '0') throw new LeakError('unsupported', `PID ${pid}'s pending-call queue is full (Py_AddPendingCall returned ${m[1]}); try again in a moment`);
  return { stop_s };
}
