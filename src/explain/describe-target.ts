// Which runtime the process to profile runs, read from /proc before anything touches it, and the
// refusal (one line for the report) where leak-profile cannot look inside it.
import { detectRuntime } from '../profile/detect-runtime.js';
import { LeakError } from '../errors.js';

/** The runtime ('node', 'python') or null, and why it cannot be profiled, if it cannot. */
export function describeTarget(pid: number): { runtime: string | null; refusal: Error | null } {
  try {
    const rt = detectRuntime(pid);
    if (rt.runtime === 'unknown') {
      return { runtime: null, refusal: new LeakError('unsupported', `PID ${pid} runs ${rt.looksLike}, not Node or CPython; leak-profile can look inside Node and CPython processes only`) };
    }
    return { runtime: rt.runtime, refusal: null };
  } catch (e) {
    return { runtime: null, refusal: e instanceof Error ? e : new Error(String(e)) };
  }
}
