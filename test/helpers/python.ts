// The interpreters the Python e2e tests run fixtures under, chosen explicitly (never python3 from
// PATH for torch): Debian's /usr/bin/python3 with python3-torch 1.13, and the torch 2.x venv that
// scripts/install-test-deps.sh builds in .cache/torch2-venv. Both are provided by the install script.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROGRAMS, ROOT } from './paths.js';

export const TORCH1_PYTHON = '/usr/bin/python3';
export const TORCH2_PYTHON = path.join(ROOT, '.cache', 'torch2-venv', 'bin', 'python');

const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Start a fixture from fixtures/programs under the given interpreter. */
export function startPython(python: string, fixture: string, args: string[] = []): ChildProcess {
  const child = spawn(python, [path.join(PROGRAMS, fixture), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}
