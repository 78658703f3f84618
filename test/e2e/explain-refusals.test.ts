// leak-track --explain where the profile cannot be taken or is cut short: a runtime we do not profile,
// a target that exits in the middle of the census, and signals other than Ctrl-C in the middle of the
// automatic profile. Each is a line in the report, never an error of the tracking run; nothing of the
// profile is left in the target.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { collect, runBin, startBin, startFixture } from '../helpers/procs.js';
import { follow, waitForOutput } from '../helpers/wait.js';
import { PROGRAMS } from '../helpers/paths.js';
import { TORCH1_PYTHON } from '../helpers/python.js';
import { listeningPorts } from '../../src/profile/node/inspector-port.js';
import type { SessionReport } from '../../src/types.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ld-explain-no-'));
const tracer = (pid: number): string | null => {
  try {
    return /TracerPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? null;
  } catch {
    return null; // gone
  }
};

// Two at a time: four trackers at once on a loaded 2-core box took over a minute to call a 270 MB/min leak.
describe('leak-track --explain: profiles that cannot be taken or are cut short', { concurrency: 2 }, () => {
  test('a growing perl process: "No profile: … runs perl" in the paragraph once (--explain-max 2), the run ends as usual (exit 0)', async () => {
    const dir = tmp();
    try {
      // ~120 MB/min of strings kept by perl (no child processes: a bash loop forks a copy of itself for
      // every command substitution). By hand, a bash job read the same way: "runs bash, not Node or CPython".
      const r = await runBin('leak-track', ['--db', path.join(dir, 't.db'), '--duration', '45s', '--interval', '0.5', '--explain', '--explain-max', '2', '--json', '--',
        'perl', '-e', 'my @k; while (1) { push @k, "a" x 200000; select(undef, undef, undef, 0.1) }'], { timeoutMs: 150_000 });
      assert.equal(r.code, 0, r.stderr);
      const explained = (JSON.parse(r.stdout) as SessionReport).explain ?? [];
      const e = explained[0];
      assert.ok(e, `not profiled: ${r.stderr}`);
      assert.equal(explained.length, 1, 'a refusal is not retried under --explain-max 2');
      assert.equal(e.status, 'failed');
      assert.match(e.paragraph, /^perl \d+ \(main\) (is|was) growing .*\. No profile: PID \d+ runs perl, not Node or CPython; leak-profile can look inside Node and CPython processes only\.$/, e.paragraph);
      assert.match(r.stderr, /^leak-track: explain: no profile of perl \d+ \(main\): PID \d+ runs perl/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a target that exits in the middle of the census: one line, the session ends target-exited (exit 0)', async () => {
    const dir = tmp();
    const job = spawn(TORCH1_PYTHON, [path.join(PROGRAMS, 'py_processor_cache.py'), '--per-s', '40', '--kb', '64', '--lifetime', '150'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await waitForOutput(follow(job.stdout), /^ready/m, { timeoutMs: 60_000 });
      const db = path.join(dir, 't.db');
      const run = startBin('leak-track', [String(job.pid), '--db', db, '--duration', '0', '--interval', '0.5', '--explain', '--explain-interval', '10', '--json']);
      const err = follow(run.stderr);
      const done = collect(run, 150_000);
      await waitForOutput(err, /census 2\/3 in \d+ s/, { timeoutMs: 120_000 });
      job.kill('SIGKILL');
      const r = await done;
      assert.equal(r.code, 0, err.text());
      const j = JSON.parse(r.stdout) as SessionReport;
      const e = j.explain?.[0];
      assert.ok(e, err.text());
      assert.equal(e.status, 'failed');
      assert.match(e.paragraph, /No profile: no process with PID \d+ \(it exited\)\.$/, e.paragraph);
      const d = new Database(db, { readonly: true });
      const s = d.prepare('SELECT end_reason FROM sessions').get() as { end_reason: string };
      d.close();
      assert.equal(s.end_reason, 'target-exited');
    } finally {
      job.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Ctrl-C is explain-python's and explain-node's; here the other two signals, one runtime each.
  const cases = [
    { sig: 'SIGTERM', code: 143, what: 'the census (gdb)', start: () => spawn(TORCH1_PYTHON, [path.join(PROGRAMS, 'py_processor_cache.py'), '--per-s', '40', '--kb', '64', '--lifetime', '300'], { stdio: ['ignore', 'pipe', 'ignore'] }), mid: /census 2\/3 in \d+ s/ },
    { sig: 'SIGHUP', code: 129, what: 'the snapshots (inspector)', start: () => startFixture('node-holders.js', ['--shape', 'listener', '--rate', '5', '--floats', '131072', '--lifetime', '300']), mid: /snapshot 1\/3: done/ },
  ] as const;
  for (const c of cases) {
    test(`${c.sig} in the middle of ${c.what}: nothing left in the target, the session and the interrupted profile saved (exit ${c.code})`, async () => {
      const dir = tmp();
      const target = c.start();
      try {
        const pid = target.pid!;
        const db = path.join(dir, 't.db');
        const run = startBin('leak-track', [String(pid), '--db', db, '--duration', '0', '--interval', '0.5', '--explain', '--explain-interval', '5']);
        const err = follow(run.stderr);
        const done = collect(run, 240_000);
        await waitForOutput(err, c.mid, { timeoutMs: 180_000 });
        run.kill(c.sig);
        const r = await done;
        assert.equal(r.code, c.code, err.text());
        assert.match(err.text(), new RegExp(`profile interrupted: interrupted by ${c.sig}`));
        assert.deepEqual(listeningPorts(pid), [], 'no inspector left open');
        assert.equal(tracer(pid), '0', 'nothing traces the target');
        const d = new Database(db, { readonly: true });
        const p = d.prepare('SELECT status FROM profiles').get() as { status: string };
        const s = d.prepare('SELECT end_reason FROM sessions').get() as { end_reason: string | null };
        d.close();
        assert.equal(p.status, 'interrupted');
        assert.ok(s.end_reason, 'the session is closed');
        assert.equal(target.exitCode, null, 'the target keeps running');
      } finally {
        target.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
