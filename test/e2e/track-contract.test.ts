// Pins what the README and DESIGN.md promise about leak-track and leak-check, so that breaking one
// documented behaviour fails a test: exit codes, --strict, grandchildren in the tree row,
// --no-children, --json on stdout alone, --quiet printing nothing but errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, startFixture, waitFor, PYTHON } from '../helpers/procs.js';
import { trackUntilChecked } from '../helpers/track-until.js';
import { rssMb, waitForExec, waitForGrowth, waitUntil } from '../helpers/wait.js';
import { PROGRAMS } from '../helpers/paths.js';
import type { SessionReport } from '../../src/types.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ld-contract-'));
const MiB = 1048576;

/** A parent → child → grandchild chain (`python -c CHAIN 2`); the grandchild holds 40 MiB, touched. */
const CHAIN = `
import subprocess, sys, os
depth = int(sys.argv[1])
if depth == 0:
    os.execv(sys.executable, [sys.executable, ${JSON.stringify(path.join(PROGRAMS, 'leaker.py'))}, '--rate', '0', '--base', '40', '--lifetime', '600'])
p = subprocess.Popen([sys.executable, '-c', os.environ['CHAIN_CODE'], str(depth - 1)])
print(depth, p.pid, flush=True)
p.wait()
`;

/** Write a trace CSV of `n` samples every 5 s: a 50 MB/min slope plus deterministic noise of ±`noiseMb`. */
function trace(dir: string, name: string, rateMbMin: number, noiseMb: number, n = 120): string {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const rows = ['t_s,uss_bytes'];
  for (let i = 0; i < n; i++) rows.push(`${i * 5},${Math.round((100 + (rateMbMin * i * 5) / 60 + 2 * noiseMb * rand()) * MiB)}`);
  const f = path.join(dir, name);
  writeFileSync(f, `${rows.join('\n')}\n`);
  return f;
}

test('grandchildren are tracked: each appears as a child row and is summed into the tree row; --no-children keeps only the root', async () => {
  const dir = tmp();
  const chain = spawn(PYTHON, ['-c', CHAIN, '2'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CHAIN_CODE: CHAIN } });
  let out = '';
  chain.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const pidAt = (depth: number) => Number(new RegExp(`^${depth} (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
  try {
    await waitFor(() => pidAt(2) && pidAt(1), 20_000, 'child and grandchild pids');
    const childPid = pidAt(2); // started by the main process (depth 2)
    const grandPid = pidAt(1); // started by the child
    await waitUntil('the grandchild to touch its 40 MiB', () => (rssMb(grandPid) ?? 0) >= 40);
    const db = path.join(dir, 'tree.db');
    const r = await runBin('leak-track', [String(chain.pid), '3s', '0.25', '--db', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as SessionReport).processes.length >= 4);
    // The same session on RSS, read every tick by every member (USS may be read every k-th tick on a
    // loaded machine, and the tree row then falls back to RSS as a whole).
    const rss = await runBin('leak-report', ['--db', db, '--metric', 'rss', '--json']);
    assert.equal(rss.code, 0, rss.stderr);
    const report = JSON.parse(rss.stdout) as SessionReport;
    const byRole = (role: string) => report.processes.filter((p) => p.role === role);
    assert.equal(byRole('main')[0]!.pid, chain.pid);
    const children = byRole('child');
    assert.deepEqual(children.map((c) => c.pid).sort(), [childPid, grandPid].sort(), 'the child and the grandchild are child rows');
    const grand = children.find((c) => c.pid === grandPid)!;
    assert.ok(grand.last_mb! >= 38, `the grandchild holds its 40 MiB: ${grand.last_mb}`);
    const tree = byRole('tree')[0]!;
    // PSS comes from the same smaps_rollup read as USS: where every member's USS was read, the tree sums PSS.
    const allUss = [byRole('main')[0]!, ...children].every((p) => p.metric === 'uss');
    assert.equal(tree.metric, allUss ? 'pss' : 'rss', 'the tree sums PSS by default (README: the tree row)');
    assert.ok(tree.last_mb! >= grand.last_mb!, 'the grandchild is inside the tree total');
    // On one metric for every row, the tree's last reading is the members' sum.
    const same = await runBin('leak-report', ['--db', db, '--metric', 'uss', '--json']);
    assert.equal(same.code, 0, same.stderr);
    const u = (JSON.parse(same.stdout) as SessionReport).processes;
    const sum = u.filter((p) => p.role !== 'tree').reduce((a, p) => a + p.last_mb!, 0);
    const utree = u.find((p) => p.role === 'tree')!;
    assert.equal(u.filter((p) => p.role === 'child').length, 2);
    assert.ok(Math.abs(utree.last_mb! - sum) < 0.5, `tree last ${utree.last_mb} MB = Σ members ${sum.toFixed(2)} MB`);

    const only = await runBin('leak-track', [String(chain.pid), '1s', '0.25', '--db', db, '--json', '--no-children']);
    assert.equal(only.code, 0, only.stderr);
    const o = JSON.parse(only.stdout) as SessionReport;
    assert.deepEqual(o.processes.map((p) => [p.pid, p.role]), [[chain.pid, 'main']], '--no-children: the root alone, no child or tree rows');
  } finally {
    chain.kill('SIGKILL');
    for (const p of [pidAt(1), pidAt(2)].filter((n) => n > 0)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch { /* gone */ }
    }
  }
});

test('--json: stdout is the Report JSON alone (a launched command prints to stderr); --quiet: nothing at all on success', async () => {
  const dir = tmp();
  const db = path.join(dir, 'j.db');
  const r = await runBin('leak-track', ['1s', '0.25', '--db', db, '--json', '--', PYTHON, '-c', 'import time; print("job says hi", flush=True); time.sleep(30)']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 1, `one line on stdout: ${r.stdout}`);
  const report = JSON.parse(r.stdout) as SessionReport;
  assert.equal(report.session.source, 'track');
  assert.match(r.stderr, /job says hi/, "the job's output still reaches the user, on stderr");
  assert.match(r.stderr, /^leak-track: sampling every 0\.25 s/m, 'progress goes to stderr');

  const leaker = startFixture('leaker.py', ['--rate', '0', '--base', '5', '--lifetime', '600']);
  try {
    await waitForExec(leaker.pid!, /python/);
    const q = await runBin('leak-track', [String(leaker.pid), '1s', '0.25', '--db', db, '--quiet']);
    assert.equal(q.code, 0);
    assert.equal(q.stdout, '', '--quiet: no summary');
    assert.equal(q.stderr, '', '--quiet: no progress');
    const qj = await runBin('leak-track', [String(leaker.pid), '1s', '0.25', '--db', db, '--quiet', '--json']);
    assert.equal(qj.stderr, '');
    assert.equal((JSON.parse(qj.stdout) as SessionReport).processes[0]!.pid, leaker.pid, '--quiet --json: the JSON alone');
    const qe = await runBin('leak-track', ['999999999', '--db', db, '--quiet']);
    assert.equal(qe.code, 3);
    assert.equal(qe.stderr, 'leak-track: no process with PID 999999999\n', '--quiet still prints errors');
  } finally {
    leaker.kill('SIGKILL');
  }
});

test('exit codes: leak-track 1 when --max-rate fails; leak-check FAIL 1, PASS 0, INCONCLUSIVE 0 and 1 with --strict', async () => {
  const dir = tmp();
  const leaker = startFixture('leaker.py', ['--rate', '150', '--lifetime', '600']);
  try {
    // The leaker is allocating (not merely started: on a busy box python alone can take seconds to
    // start), so the track sees growth from its first reading.
    await waitForGrowth(leaker.pid!, 3);
    // Tracked until the leaker exits, which it does once leak-check calls the readings so far a FAIL:
    // no fixed window (fresh-clone CI read a fixed 12 s, then 30 s, as not yet decided on a loaded box:
    // the tracker reads USS every few ticks there). What this pins is leak-track's own exit code.
    const db = path.join(dir, 'l.db');
    const fail = await trackUntilChecked(leaker, db, ['--interval', '0.25', '--max-rate', '30', '--quiet'], ['--max-rate', '30']);
    const why = fail.code === 1 ? '' : (await runBin('leak-report', ['--db', db])).stdout;
    assert.equal(fail.code, 1, `a 150 MB/min leak fails --max-rate 30: ${fail.stderr}${why}`);
  } finally {
    leaker.kill('SIGKILL');
  }
  const steady = trace(dir, 'flat.csv', 0, 0.5);
  const leaky = trace(dir, 'leaky.csv', 200, 5);
  const straddle = trace(dir, 'straddle.csv', 50, 30);
  const check = (f: string, ...extra: string[]) => runBin('leak-check', ['--trace', f, '--max-rate', '50', ...extra]);
  const pass = await check(steady);
  assert.equal(pass.code, 0, pass.stdout + pass.stderr);
  assert.match(pass.stdout, /^PASS /m);
  const f = await check(leaky);
  assert.equal(f.code, 1, f.stdout);
  const m = /^FAIL trace 0: growing (\d+(?:\.\d+)?) MB\/min \(CI [\d.]+–[\d.]+\) > 50$/m.exec(f.stdout);
  assert.ok(m && Math.abs(Number(m[1]) - 200) < 4, `FAIL line with the 200 MB/min rate: ${f.stdout}`);
  const inc = await check(straddle);
  assert.match(inc.stdout, /^INCONCLUSIVE .*straddles the bound; record about .* more to decide$/m);
  assert.equal(inc.code, 0, 'INCONCLUSIVE passes without --strict');
  const strict = await check(straddle, '--strict');
  assert.equal(strict.code, 1, '--strict turns INCONCLUSIVE into exit 1');
  assert.equal((await check(steady, '--strict')).code, 0, '--strict does not fail a PASS');
});

test('several trackers may share one DB, also when they create it at the same moment', async () => {
  const dir = tmp();
  const db = path.join(dir, 'shared.db');
  const leaker = startFixture('leaker.py', ['--rate', '0', '--base', '5', '--lifetime', '600']);
  try {
    await waitForExec(leaker.pid!, /python/);
    const runs = await Promise.all([0, 1, 2].map(() => runBin('leak-track', [String(leaker.pid), '2s', '0.25', '--db', db, '--quiet'])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const all = await runBin('leak-report', ['--db', db, '--session', 'all', '--json']);
    assert.equal(all.code, 0, all.stderr);
    const sessions = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as SessionReport);
    assert.deepEqual(sessions.map((s) => s.session.id).sort(), [1, 2, 3]);
    for (const s of sessions) assert.ok(s.processes[0]!.samples >= 5, `session ${s.session.id}: ${s.processes[0]!.samples} samples`);
    assert.deepEqual(readdirSync(dir).filter((n) => !/^shared\.db(-wal|-shm)?$/.test(n)), [], 'no private build directory left behind');
  } finally {
    leaker.kill('SIGKILL');
  }
});
