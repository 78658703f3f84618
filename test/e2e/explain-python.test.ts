// leak-track --explain on live Python jobs: a torch processor cache named down to its tensor type and
// holder in one command; a leaking DataLoader worker profiled rather than the main; a cycling and a
// plateau job never profiled; Ctrl-C in the middle of the automatic census leaves no debugger attached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { collect, runBin, startBin, waitFor, HANG_GUARD_MS, type BinResult } from '../helpers/procs.js';
import { childPids, follow, waitForOutput, waitUntil } from '../helpers/wait.js';
import { PROGRAMS } from '../helpers/paths.js';
import { TORCH1_PYTHON } from '../helpers/python.js';
import type { SessionReport } from '../../src/types.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ld-explain-py-'));
const prog = (f: string) => path.join(PROGRAMS, f);

/**
 * leak-track --explain until its profile is stored (or given up), then Ctrl-C: what these tests pin is
 * the profile and its paragraph, which the summary printed at SIGINT carries as the full run's would.
 * The run's own --duration stays the bound: 90 s, as a run under load 18 (a heavy file beside it) had
 * not yet profiled a clear 75 MB/min grower at 45 s; once stored, the run ends.
 */
async function trackUntilExplained(args: string[], timeoutMs: number): Promise<BinResult> {
  const run = startBin('leak-track', args);
  const err = follow(run.stderr);
  const done = collect(run, timeoutMs);
  await Promise.race([done, waitForOutput(err, /^leak-track: explain: (profile of .* stored with the session|no profile of )/m, { timeoutMs })]);
  run.kill('SIGINT');
  return done;
}

test('torch 1.13: one command names the tensor type and the _cache that keeps it', async () => {
  const dir = tmp();
  // 20 images a second of 64 KB tensors: 75 MB/min kept in processor.image_processor._cache. Attached once
  // it is ready: tracked from launch, its torch import (3 → ~200 MB, 10 s and more under load) dominated a
  // 45 s series that a run under load 14 then never called growing, so nothing was profiled. (Launch mode
  // with --explain: the Ctrl-C test below.)
  const job = spawn(TORCH1_PYTHON, [prog('py_processor_cache.py'), '--torch', '--per-s', '20', '--kb', '64', '--lifetime', '600'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await waitForOutput(follow(job.stdout), /^ready/m, { timeoutMs: 90_000 });
    const r = await trackUntilExplained([String(job.pid), '--db', path.join(dir, 't.db'), '--duration', '90s', '--interval', '0.5', '--explain', '--explain-interval', '2', '--json'], 150_000);
    const j = JSON.parse(r.stdout) as SessionReport;
    const e = j.explain?.[0];
    assert.ok(e, r.stderr);
    assert.equal(e.status, 'done', `${e.message} ${r.stderr}`);
    assert.equal(e.runtime, 'python');
    // The paragraph names the type and the holder. (On a loaded box the censuses of a torch process can
    // pause it for most of the run; the verdict over the rest may then be undecided, said as "was growing".)
    assert.match(e.paragraph, /^python3[\w.]* \d+ \(main\) (is|was) growing [\d.]+ MB\/min \([\d.]+–[\d.]+\).*\. Inside: torch\.Tensor \+[\d.]+ MB\/min kept in processor\.image_processor\._cache(\[k\]\.pixel_values)? \(dict, \d+ items, [\d.]+ MB\)/, `${e.paragraph}\n${r.stderr}`);
    assert.notEqual(j.processes.find((p) => p.role === 'main')?.classification, 'stable');
  } finally {
    job.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a leaking DataLoader worker: the worker is profiled, not the main', async () => {
  const dir = tmp();
  // Attached once both workers are forked: tracked from launch, the main's torch import (10 s and more on
  // a loaded box) is a climb of its own that --explain took for a leak (a run under load 17 read "the main was profiled").
  const job = spawn(TORCH1_PYTHON, [prog('rec_dataloader.py'), '--worker-leak', '60', '--epoch-s', '300', '--batches-per-s', '4', '--lifetime', '600'], { stdio: 'ignore' });
  try {
    await waitUntil('two DataLoader workers', () => childPids(job.pid!).length >= 2, { timeoutMs: 90_000 });
    const r = await trackUntilExplained([String(job.pid), '--db', path.join(dir, 't.db'), '--duration', '90s', '--interval', '0.5', '--explain', '--explain-interval', '2', '--json'], 150_000);
    const j = JSON.parse(r.stdout) as SessionReport;
    const main = j.processes.find((p) => p.role === 'main')!;
    assert.ok(j.explain?.length, r.stderr);
    for (const e of j.explain!) {
      assert.notEqual(e.pid, main.pid, `the main was profiled: ${e.paragraph}`);
      assert.equal(e.role, 'child');
    }
    const e = j.explain![0]!;
    assert.equal(e.status, 'done', `${e.message} ${r.stderr}`);
    assert.match(e.paragraph, /\(child\) is growing .* Inside: numpy\.ndarray \+[\d.]+ MB\/min kept in /, e.paragraph);
  } finally {
    job.kill('SIGTERM'); // it exits cleanly, its workers with it
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cycling job and a plateau job are never profiled', async () => {
  const dir = tmp();
  try {
    const runs = await Promise.all([
      ['cycler.py', '--amplitude', '60', '--period', '4', '--lifetime', '60'],
      ['lru_cache.py', '--item-mb', '4', '--items-per-s', '4', '--cache-size', '10', '--lifetime', '60'],
    ].map(([f, ...a], i) => runBin('leak-track', ['--db', path.join(dir, `${i}.db`), '--duration', '30s', '--interval', '0.25', '--explain', '--explain-interval', '1', '--json', '--', TORCH1_PYTHON, prog(f!), ...a], { timeoutMs: 90_000 })));
    const [cyc, pla] = runs.map((r) => JSON.parse(r.stdout) as SessionReport);
    // whatever a short run calls them (cycling, plateau, stable or undecided), never growing
    assert.notEqual(cyc!.processes[0]!.classification, 'growing', runs[0]!.stdout);
    assert.notEqual(pla!.processes[0]!.classification, 'growing', runs[1]!.stdout);
    for (const [k, r] of runs.entries()) {
      assert.equal((JSON.parse(r.stdout) as SessionReport).explain, undefined, `job ${k} was profiled: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /explain:/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C in the middle of the automatic census: gdb is detached, the session and the interrupted profile are saved', async () => {
  const dir = tmp();
  try {
    const db = path.join(dir, 't.db');
    const run = startBin('leak-track', ['--db', db, '--duration', '0', '--interval', '0.5', '--explain', '--explain-interval', '5',
      '--', TORCH1_PYTHON, prog('py_processor_cache.py'), '--per-s', '40', '--kb', '64', '--lifetime', '600']);
    let err = '';
    run.stderr!.on('data', (c: Buffer) => (err += c));
    const done = collect(run);
    await waitFor(() => /census 2\/3 in \d+ s/.test(err), HANG_GUARD_MS, 'the automatic profile between censuses');
    const pid = Number(/explain (\d+): census/.exec(err)![1]);
    run.kill('SIGINT');
    const r = await done;
    assert.equal(r.code, 130, err);
    let status = '';
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch { /* exited with the SIGINT */ }
    const tracer = /TracerPid:\s+(\d+)/.exec(status);
    // the launched job got the SIGINT too; where it is still there, nothing traces it
    if (tracer) assert.equal(tracer[1], '0');
    assert.match(err, /profile interrupted: interrupted by SIGINT; nothing of leak-profile's is left behind/);
    const d = new Database(db, { readonly: true });
    const s = d.prepare('SELECT end_reason FROM sessions').get() as { end_reason: string };
    const p = d.prepare('SELECT status FROM profiles').get() as { status: string };
    d.close();
    assert.equal(s.end_reason, 'interrupted');
    assert.equal(p.status, 'interrupted');
    const rep = await runBin('leak-report', ['--db', db, '--json']);
    assert.equal((JSON.parse(rep.stdout) as SessionReport).explain?.[0]?.status, 'interrupted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
