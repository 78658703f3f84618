// What /proc says about a target before we signal it: a stopped process (state T or t) must never be
// signalled, since the signal stays queued and acts later, when nobody is there to clean up after it.
import { readFileSync } from 'node:fs';
import { LeakError } from '../errors.js';

/** The one-letter state of `pid` from /proc/PID/stat (R, S, D, T, t, Z…), or null when it is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
}

/** Throw (exit 3) when `pid` is stopped or traced: `action` says what we would have done. */
export function refuseIfStopped(pid: number, action: string): void {
  const s = processState(pid);
  if (s === 'T' || s === 't') {
    throw new LeakError(
      'unsupported',
      `PID ${pid} is ${s === 'T' ? 'stopped (state T: SIGSTOP or Ctrl-Z)' : 'stopped by a debugger (state t)'}; leak-profile will not ${action}, ` +
        `since what it queued would act only once the process resumes, with nobody left to clean up; resume it (kill -CONT ${pid}, or detach the debugger) and run leak-profile again`,
    );
  }
}

/** Does `pid` catch signal number `signo` (its bit in SigCgt of /proc/PID/status)? */
export function catchesSignal(pid: number, signo: number): boolean {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? (BigInt(`0x${m[1]}`) & (1n << BigInt(signo - 1))) !== 0n : false;
  } catch {
    return false;
  }
}

/**
 * The uid `pid` opens files as (the fsuid in /proc/PID/status), or `fallback`: the owner of /proc/PID
 * is root for a non-dumpable process, which would hand its result file to the wrong user.
 */
export function fileUid(pid: number, fallback: number): number {
  try {
    const m = /^Uid:\s+\d+\s+\d+\s+\d+\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : fallback;
  } catch {
    return fallback;
  }
}
