// The Node target of the profile-safety tests and leak-profile started beside it: a target with a heap
// big enough that a snapshot takes a while (so a signal can land mid-snapshot), its inspector (if
// SIGUSR1 opens it) on a free port so test files can run side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBin, waitFor } from './procs.js';

const SOURCE = `
const keep = [];
const n = Number(process.argv[2] || 0);
for (let i = 0; i < n; i++) keep.push({ i, s: 'item ' + i });
const life = Number(process.argv[3] || 120);
const exitFile = process.argv[4]; // ends its own way once this file exists (the test's moment, not a clock's)
const t0 = Date.now();
setInterval(() => { keep.push({ t: Date.now() }); if (Date.now() - t0 > life * 1000 || (exitFile && require('fs').existsSync(exitFile))) process.exit(0); }, 50);
process.on('SIGWINCH', () => console.log('turned')); // a round trip through its event loop (eventLoopTurned)
console.log('ready');
`;

export interface Target {
  child: ChildProcess;
  pid: number;
  stderr: () => string;
  stdout: () => string;
}

/** startTarget and startProfile writing under `work`; what they spawn is pushed on `spawned` (for the file's after()). */
export function nodeTargetKit(work: string, spawned: ChildProcess[]) {
  const file = path.join(work, 'target.js');
  writeFileSync(file, SOURCE);
  /** Start the target node with `objects` kept from the start, for `lifetime` s or until `exitFile` exists. */
  async function startTarget(objects = 0, lifetime = 600, nodeArgs = ['--inspect-port=127.0.0.1:0'], env: NodeJS.ProcessEnv = {}, exitFile?: string): Promise<Target> {
    const child = spawn(process.execPath, [...nodeArgs, file, String(objects), String(lifetime), ...(exitFile ? [exitFile] : [])], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    spawned.push(child);
    let out = '', err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    await waitFor(() => out.includes('ready'), 120_000, 'the target to start');
    return { child, pid: child.pid!, stderr: () => err, stdout: () => out };
  }
  /** Start leak-profile with TMPDIR pointing at a fresh directory, so leftovers can be seen. */
  function startProfile(args: string[]) {
    const tmp = mkdtempSync(path.join(work, 'tmp-'));
    const child = startBin('leak-profile', args, { env: { TMPDIR: tmp } });
    let err = '', out = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('close', (code, signal) => r({ code, signal })));
    return { child, tmp, done, stderr: () => err, stdout: () => out };
  }
  return { startTarget, startProfile };
}

/**
 * Wait for a round trip through the target's event loop (SIGWINCH → it prints): a SIGUSR1 sent before
 * this has been handled by now, so an inspector it opened would be listening.
 */
export async function eventLoopTurned(t: Target): Promise<void> {
  const turns = () => t.stdout().split('turned').length;
  const before = turns();
  process.kill(t.pid, 'SIGWINCH');
  await waitFor(() => turns() > before, 10_000, 'the target to answer SIGWINCH');
}
