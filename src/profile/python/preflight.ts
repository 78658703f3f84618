// Can we inject into this Python process at all? Each "no" is one clear line with what to do.
import { readFileSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { LeakError, permissionError } from '../../errors.js';
import type { RuntimeInfo } from '../detect-runtime.js';

/** Throws a LeakError (exit 3) explaining why injection cannot work here. */
export function checkInjectable(pid: number, rt: RuntimeInfo): void {
  try {
    execFileSync('gdb', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new LeakError('unsupported', 'gdb is not installed; install it (apt-get install gdb), or import scripts/leak_detective_hook.py in the target (see README)');
  }
  const v = rt.pythonVersion?.split('.').map(Number);
  if (v && (v[0]! < 3 || (v[0] === 3 && v[1]! < 7))) {
    throw new LeakError('unsupported', `PID ${pid} runs Python ${rt.pythonVersion}; leak-profile needs CPython 3.7 or newer`);
  }
  const myUid = process.getuid?.() ?? 0;
  if (myUid !== 0 && rt.uid !== myUid) {
    throw permissionError(`PID ${pid} belongs to uid ${rt.uid}; run leak-profile as that user or as root`);
  }
  try {
    if (readlinkSync('/proc/self/ns/pid') !== readlinkSync(`/proc/${pid}/ns/pid`)) {
      throw new LeakError('unsupported', `PID ${pid} is in another PID namespace (a container); run leak-profile inside that container, or import scripts/leak_detective_hook.py in the target`);
    }
  } catch (e) {
    if (e instanceof LeakError) throw e;
  }
  let scope: string | null = null;
  try {
    scope = readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim();
  } catch {
    /* no Yama */
  }
  if (scope === '3') throw permissionError('ptrace is disabled (/proc/sys/kernel/yama/ptrace_scope = 3); use scripts/leak_detective_hook.py in the target instead');
  if (scope === '2' && myUid !== 0) throw permissionError('ptrace needs CAP_SYS_PTRACE here (/proc/sys/kernel/yama/ptrace_scope = 2); run as root');
}

/** Map gdb's failure text to the error a user can act on. */
export function explainGdbFailure(pid: number, text: string): LeakError {
  if (/ptrace: Operation not permitted|Could not attach to process/.test(text)) {
    return permissionError(
      `gdb could not attach to PID ${pid}: ptrace not permitted; check /proc/sys/kernel/yama/ptrace_scope (1 allows only descendants: run as root or set it to 0) ` +
        `and CAP_SYS_PTRACE in containers (docker run --cap-add=SYS_PTRACE), or use scripts/leak_detective_hook.py`,
    );
  }
  if (/No such process/.test(text)) return new LeakError('not-found', `no process with PID ${pid} (it exited)`);
  if (/No symbol "(Py_AddPendingCall|PyRun_SimpleString)"/.test(text)) {
    return new LeakError('unsupported', `PID ${pid} exposes no CPython API symbols (Py_AddPendingCall); is it CPython with its symbols stripped?`);
  }
  const line = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^(warning|Reading|\[)/.test(l)).pop() ?? 'unknown error';
  return new LeakError('unsupported', `gdb could not inject into PID ${pid}: ${line}`);
}
