// Running census payload modules (scripts/census/*.py) on their own, under a real interpreter: the
// named modules are joined as the payload joins them (one namespace) and followed by a test body that
// prints one JSON line, which is returned parsed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { CENSUS_DIR } from '../../src/profile/python/census-payload.js';
import { PYTHON } from './procs.js';

/** The interpreters of pyenv the census supports besides the default (scripts/install-test-deps.sh checks them). */
export const PYENV_PYTHONS: Record<string, string> = {
  '3.11': '/root/.pyenv/versions/3.11.7/bin/python3',
  '3.12': '/root/.pyenv/versions/3.12.1/bin/python3',
  '3.13': '/root/.pyenv/versions/3.13.0/bin/python3',
};

/** Join `modules` (file names in scripts/census) and `body`, run it as a file named leak_census.py, parse the last stdout line. */
export function runModules<T = unknown>(modules: string[], body: string, opts: { python?: string; args?: string[] } = {}): { value: T; stderr: string } {
  const src = modules.map((m) => readFileSync(path.join(CENSUS_DIR, m), 'utf8')).join('\n') + '\n' + body;
  const dir = mkdtempSync(path.join(tmpdir(), 'census-unit-'));
  try {
    const file = path.join(dir, 'leak_census.py');
    writeFileSync(file, src);
    const r = spawnSync(opts.python ?? PYTHON, ['-X', 'dev', '-W', 'error', file, ...(opts.args ?? [])], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
    if (r.status !== 0) throw new Error(`python exited ${r.status ?? r.signal}: ${r.stderr}`);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    return { value: JSON.parse(last) as T, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
