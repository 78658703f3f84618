// One entry for profiling a live process, whatever it runs: the runtime is read from /proc and the
// matching capture is used. The CLI and the library API both call this.
import { LeakError } from '../errors.js';
import type { ProfileReport } from '../types.js';
import { detectRuntime } from './detect-runtime.js';
import { profileNode } from './node/profile-node.js';
import { profilePython } from './python/profile-python.js';

export interface ProfileProcessOptions {
  pid: number;
  /** Snapshots (Node) or censuses (Python) to take; ≥ 2. */
  snapshots: number;
  interval_s: number;
  top: number;
  /** Keep the captured files here; null = a private temp dir, removed afterwards. */
  outDir: string | null;
  force?: boolean;
  /** Python only: census depth and how long to wait for the target to reach a safe point. */
  mode?: 'auto' | 'full' | 'cheap';
  timeout_s?: number;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Profile a live Node or CPython process; throws a LeakError (unsupported) for anything else. */
export async function profileProcess(o: ProfileProcessOptions): Promise<ProfileReport> {
  const rt = detectRuntime(o.pid);
  if (rt.runtime === 'node') return profileNode(o);
  if (rt.runtime === 'python') return profilePython(o);
  throw new LeakError(
    'unsupported',
    `PID ${o.pid} runs ${rt.looksLike}, not Node or CPython; leak-profile can look inside Node (heap snapshots) and CPython (censuses) processes only`,
  );
}
