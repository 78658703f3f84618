// leak-track's fallbacks: the portable source (ps-list + pidusage), the path macOS and BSD users get
// (PIDUSAGE_USE_PS=true makes pidusage read `ps` as it does on macOS, so this box runs that code path);
// and another user's process, whose smaps_rollup is closed to us.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, existsSync, mkdtempSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { collect, runBin, startFixture } from '../helpers/procs.js';
import { waitForChildren, waitForGrowth } from '../helpers/wait.js';
import { ROOT } from '../helpers/paths.js';
import type { SessionReport } from '../../src/types.js';

const PORTABLE = { ...process.env, LEAK_TRACK_SOURCE: 'portable', PIDUSAGE_USE_PS: 'true' };

test('portable source: RSS via pidusage, children joined and closed, the leaker rate within 15 %, said once', async () => {
  const db = path.join(mkdtempSync(path.join(tmpdir(), 'ld-e2e-')), 'p.db');
  const tree = startFixture('tree.py', ['--workers', '2', '--leak-rate', '90', '--lifetime', '600', '--late-worker-at', '2']);
  await waitForChildren(tree.pid!, 2, /leaker\.py/); // its two workers are up (the late one comes at 2 s)
  const r = await runBin('leak-track', [String(tree.pid), '16s', '0.5', '--db', db, '--json'], { env: PORTABLE });
  tree.kill();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.split('\n').filter((l) => l.includes('recording RSS only')).length, 1, r.stderr);
  const d = new Database(db, { readonly: true });
  const procs = d.prepare(`SELECT id, pid, role, exited_ms FROM processes ORDER BY id`).all() as { id: number; pid: number; role: string; exited_ms: number | null }[];
  const samples = d.prepare(`SELECT process_id, t_ms, rss, uss, pss, swap FROM samples ORDER BY t_ms`).all() as
    { process_id: number; t_ms: number; rss: number | null; uss: number | null; pss: number | null; swap: number | null }[];
  d.close();
  assert.equal(procs[0]!.pid, tree.pid);
  assert.equal(procs.filter((p) => p.role === 'child').length, 3, JSON.stringify(procs));
  assert.ok(procs[3]!.exited_ms !== null, 'the late worker was closed when it exited');
  assert.ok(samples.length > 60);
  assert.ok(samples.every((s) => s.uss === null && s.pss === null && s.swap === null), 'no USS/PSS/swap without smaps_rollup');
  assert.ok(samples.every((s) => s.rss !== null && s.rss > 1048576), 'RSS every tick');
  const report = JSON.parse(r.stdout) as SessionReport;
  const growing = report.processes.filter((p) => p.role === 'child' && p.classification === 'growing');
  assert.equal(growing.length, 1, JSON.stringify(report.processes.map((p) => [p.pid, p.classification, p.rate_mb_per_min])));
  assert.equal(growing[0]!.metric, 'rss');
  assert.ok(Math.abs(growing[0]!.rate_mb_per_min! - 90) / 90 < 0.15, `rate ${growing[0]!.rate_mb_per_min}`);
});

test('portable source: a PID that does not exist is exit 3; a bad LEAK_TRACK_SOURCE is exit 2', async () => {
  const gone = await runBin('leak-track', ['999999', '1s', '0.5', '--db', path.join(mkdtempSync(path.join(tmpdir(), 'ld-e2e-')), 'g.db')], { env: PORTABLE });
  assert.equal(gone.code, 3);
  assert.equal(gone.stderr.trim(), 'leak-track: no process with PID 999999');
  const bad = await runBin('leak-track', [String(process.pid), '1s', '0.5'], { env: { ...process.env, LEAK_TRACK_SOURCE: 'kernel' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr.trim(), /^leak-track: LEAK_TRACK_SOURCE must be procfs or portable, not `kernel`$/);
});

test("another user's process: smaps_rollup is denied, RSS is recorded every tick, said once", async (t) => {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) return t.skip('needs root and setpriv to run the tracker as nobody');
  const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];
  const bin = path.join(ROOT, 'dist/src/cli/bin/leak-track.js');
  if (spawnSync('/usr/bin/setpriv', [...asNobody, process.execPath, bin, '--help']).status !== 0) return t.skip(`user nobody cannot run ${bin} (a parent directory is closed to it)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-e2e-'));
  chownSync(dir, 65534, 65534); // nobody's own directory: a 0777 one is refused as a place for a DB
  const db = path.join(dir, 'n.db');
  const leaker = startFixture('leaker.py', ['--rate', '90', '--lifetime', '600', '--base', '10']);
  await waitForGrowth(leaker.pid!, 10); // past its start-up: the interpreter and its 10 MB base are in
  const tracker = spawn('/usr/bin/setpriv', [...asNobody, process.execPath, bin, String(leaker.pid), '12s', '0.5', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const r = await collect(tracker);
  leaker.kill();
  assert.equal(r.code, 0, r.stderr);
  const notices = r.stderr.split('\n').filter((l) => l.includes('smaps_rollup'));
  assert.equal(notices.length, 1, r.stderr);
  assert.match(notices[0]!, new RegExp(`^leak-track: cannot read /proc/${leaker.pid}/smaps_rollup \\(permission denied\\): recording RSS only`));
  const d = new Database(db, { readonly: true });
  const samples = d.prepare(`SELECT rss, uss FROM samples`).all() as { rss: number | null; uss: number | null }[];
  d.close();
  assert.ok(samples.length >= 20 && samples.every((s) => s.uss === null && s.rss !== null), `${samples.length} samples`);
  const main = (JSON.parse(r.stdout) as SessionReport).processes[0]!;
  assert.equal(main.metric, 'rss');
  assert.ok(Math.abs(main.rate_mb_per_min! - 90) / 90 < 0.15, `rate ${main.rate_mb_per_min}`);
});
