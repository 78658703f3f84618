// Spawning fixture programs and the built bins from tests, with cleanup and bounded waits.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROGRAMS, bin } from './paths.js';

/** The real python3 binary (pyenv's shim is a bash script that forks python as a child). */
export const PYTHON: string = (() => {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    return 'python3';
  }
})();

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Start a fixture (a name in fixtures/programs or an absolute path; `.py` with the real python, `.js` with node). */
export function startFixture(name: string, args: string[] = [], opts: { stdin?: 'pipe' | 'ignore' } = {}): ChildProcess {
  const file = path.isAbsolute(name) ? name : path.join(PROGRAMS, name);
  const py = name.endsWith('.py');
  // Node fixtures open their inspector (on leak-profile's SIGUSR1) on a free port: with 9229 test files
  // profiling side by side would take each other's port.
  const argv = py ? [file, ...args] : ['--inspect-port=127.0.0.1:0', file, ...args];
  const child = spawn(py ? PYTHON : process.execPath, argv, { stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/**
 * How long a bin or fixture may run before a test calls it hung: a guard against a hang, not a clock
 * for a verdict, so generous for a loaded box (at load 8-10 on 2 cores a 3-snapshot leak-profile of a
 * growing Node service took over 120 s: the target paused 8, 20 and 59 s).
 */
export const HANG_GUARD_MS = 600_000;

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run a built bin to completion. */
export function runBin(name: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<BinResult> {
  const child = startBin(name, args, opts);
  return collect(child, opts.timeoutMs ?? HANG_GUARD_MS);
}

/** Start a built bin without waiting (for kill -9 tests and the like). */
export function startBin(name: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, [bin(name), ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Wait for a started process to finish and gather its output. */
export function collect(child: ChildProcess, timeoutMs = HANG_GUARD_MS): Promise<BinResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms; stderr so far: ${stderr}`));
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Poll until `fn` returns a truthy value or the time runs out. */
export async function waitFor<T>(fn: () => T | null | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True if a PID is alive (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
