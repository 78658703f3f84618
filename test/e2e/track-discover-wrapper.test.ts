// --find-training through a shell wrapper: `bash -c 'python3 train.py …; …'` matches the training
// patterns by its argument, as does the python it runs. The job is the python: the shell steps aside,
// so the session's main (the per-process row every report leads with) is the trainer, not bash.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { runBin, waitFor } from '../helpers/procs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-wrapper-'));
let sh: ChildProcess | undefined;
after(() => {
  if (sh && sh.exitCode === null) process.kill(-sh.pid!, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('--find-training tracks the python a shell wrapper runs, not the shell', async () => {
  // a name no other process on the box carries, so the pick is checked among real candidates
  const script = path.join(dir, `train_wrapped_${process.pid}.py`);
  writeFileSync(script, 'import time, sys\nbuf = bytearray(200 * 1024 * 1024)\nfor i in range(0, len(buf), 4096): buf[i] = 1\nprint("ready", flush=True)\ntime.sleep(120)\n');
  // `; true` keeps bash alive as the parent (a lone command would be exec'd in place of the shell)
  sh = spawn('bash', ['-c', `python3 ${script}; true`], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let out = '';
  sh.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  await waitFor(() => out.includes('ready'), 30_000, 'the wrapped trainer to start');

  const db = path.join(dir, 'w.db');
  const r = await runBin('leak-track', ['--find-training', '1s', '0.5', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const d = new Database(db, { readonly: true });
  const main = d.prepare(`SELECT pid, name FROM processes WHERE role = 'main'`).get() as { pid: number; name: string };
  d.close();
  assert.equal(main.name, 'python3', r.stderr);
  assert.notEqual(main.pid, sh.pid);
  assert.match(r.stderr, new RegExp(`tracking python3 ${main.pid}: python running a train\\*\\.py script`), r.stderr);
  assert.doesNotMatch(r.stderr, new RegExp(`other candidates:.*\\b${sh.pid} \\(bash\\)`), 'the wrapper listed as a job of its own');
});
