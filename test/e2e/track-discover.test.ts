// How --find-training and --match choose among real processes (DESIGN §1): the root of the biggest
// matching job tree; a match whose parent matches too is part of that job (forked workers share the
// trainer's command line), not a candidate of its own; leak-track and the shell that runs it are never
// candidates, although their own command lines hold the pattern.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { collect, runBin, waitFor } from '../helpers/procs.js';
import { ROOT } from '../helpers/paths.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-discover-'));
const started: ChildProcess[] = [];
after(() => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// A "trainer" holding MB of touched memory, with `workers` forked children (same command line).
const TRAINER = `
import os, sys, time, signal
mb, workers = int(sys.argv[1]), int(sys.argv[2])
buf = bytearray(mb * 1024 * 1024)
for i in range(0, len(buf), 4096): buf[i] = 1
kids = []
for _ in range(workers):
    pid = os.fork()
    if pid == 0:
        time.sleep(120); os._exit(0)
    kids.append(pid)
signal.signal(signal.SIGTERM, lambda *_: ([os.kill(k, 9) for k in kids], sys.exit(0)))
print("ready", flush=True)
time.sleep(120)
`;

async function startTrainer(name: string, mb: number, workers: number): Promise<ChildProcess> {
  const file = path.join(dir, name);
  writeFileSync(file, TRAINER);
  const child = spawn('python3', [file, String(mb), String(workers)], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  await waitFor(() => out.includes('ready'), 30_000, `${name} to start`);
  return child;
}

const trackedMain = (db: string): number => {
  const d = new Database(db, { readonly: true });
  const row = d.prepare(`SELECT pid FROM processes WHERE role = 'main'`).get() as { pid: number };
  d.close();
  return row.pid;
};

test('--find-training picks the root of the biggest job tree, names the other roots and not the forked workers; --match never picks itself or its shell', async () => {
  const small = await startTrainer('train_small.py', 20, 0);
  const big = await startTrainer('train_big.py', 150, 2);

  const found = await runBin('leak-track', ['--find-training', '1s', '0.5', '--db', path.join(dir, 'f.db')]);
  assert.equal(found.code, 0, found.stderr);
  assert.equal(trackedMain(path.join(dir, 'f.db')), big.pid);
  const why = found.stderr.split('\n').find((l) => l.includes(`tracking python3 ${big.pid}`)) ?? '';
  assert.match(why, /python running a train\*\.py script; biggest job tree \(3 processes, \d+ MB RSS\)/, found.stderr);
  // The other roots: the small trainer, and whatever else on this box looks like training; never a worker.
  const others = [...(/other candidates: (.*)$/.exec(why)?.[1] ?? '').matchAll(/(\d+) \(/g)].map((m) => Number(m[1]));
  assert.ok(others.includes(small.pid!), why);
  const workers = (await runBin('leak-track', ['--find-training', '--list'])).stdout;
  assert.ok(!others.some((pid) => pid !== small.pid && new RegExp(`\\b${pid}\\b.*train_big\\.py`).test(workers)), `a forked worker listed as a root: ${why}`);

  // The pattern is in leak-track's own command line and in its shell's: neither is a candidate, so the
  // big trainer is the only one (no "other candidates"), although the shell's tree is bigger than leak-track alone.
  const db = path.join(dir, 'm.db');
  const sh = spawn('/bin/sh', ['-c', `"${process.execPath}" "${path.join(ROOT, 'dist/src/cli/bin/leak-track.js')}" --match 'train_big.py' 1s 0.5 --db "${db}"; echo done`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const r = await collect(sh);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(trackedMain(db), big.pid);
  const line = r.stderr.split('\n').find((l) => l.includes('tracking ')) ?? '';
  assert.match(line, new RegExp(`tracking python3 ${big.pid}: command line matches /train_big\\.py/; biggest job tree \\(3 processes, \\d+ MB RSS\\)$`), r.stderr);
});
