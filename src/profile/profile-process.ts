// One entry for profiling a live process, whatever it runs: the runtime is read from /proc and the
// matching capture is used. The CLI and the library API both call this.
import { LeakError } from '../errors.js';
import type { ProfileReport } from '../types.js';
import { detectRuntime } from './detect-runtime.js';
import { profileNode, type NodeProfileOptions } from './node/profile-node.js';
import { profilePython, type PythonProfileOptions } from './python/profile-python.js';

/** What both captures take (Node's options), plus the Python census's depth and patience. */
export type ProfileProcessOptions = NodeProfileOptions & Pick<PythonProfileOptions, 'mode' | 'timeout_s' | 'onCapture' | 'trim' | 'countdown'>;

/** Profile a live Node or CPython process; throws a LeakError (unsupported) for anything else. */
export async function profileProcess(o: ProfileProcessOptions): Promise<ProfileReport> {
  const rt = detectRuntime(o.pid);
  if (rt.runtime === 'node') {
    const report = await profileNode(o);
    // V8 gives its heap back itself; trimming glibc under a running V8 is not something to do from outside.
    if (o.trim) (report.warnings ??= []).push('--trim applies to Python targets; this Node target was not trimmed');
    return report;
  }
  if (rt.runtime === 'python') return profilePython(o);
  throw new LeakError(
    'unsupported',
    `PID ${o.pid} runs ${rt.looksLike}, not Node or CPython; leak-profile can look inside Node (heap snapshots) and CPython (censuses) processes only`,
  );
}
