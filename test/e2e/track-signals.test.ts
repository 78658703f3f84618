// SIGINT, SIGTERM and SIGHUP end leak-track alike at every moment: the summary is printed, the session
// is closed in the DB, a launched command is gone (never orphaned), the exit code is 128+N.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { startBin, startFixture, collect, waitFor, isAlive, PYTHON, type BinResult } from '../helpers/procs.js';
import { bin } from '../helpers/paths.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ld-sig-'));
const CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
const REASONS = { SIGINT: 'interrupted', SIGTERM: 'terminated', SIGHUP: 'hangup' } as const;
type Sig = keyof typeof CODES;
/** A launched job that ignores SIGTERM, SIGINT and SIGHUP: only SIGKILL stops it. */
const STUBBORN = ['-c', 'import signal,time; [signal.signal(s, signal.SIG_IGN) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)]; time.sleep(300)'];
const launchedPids = new Set<number>();
after(() => {
  for (const pid of launchedPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL'); // only after a failed test
});

interface SessionRow { id: number; ended_at: string | null; end_reason: string | null; samples: number }
function sessions(db: string): SessionRow[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(`SELECT s.id, s.ended_at, s.end_reason, (SELECT count(*) FROM samples x JOIN processes p ON p.id = x.process_id WHERE p.session_id = s.id) AS samples FROM sessions s ORDER BY s.id`).all() as SessionRow[];
  } finally {
    d.close();
  }
}

/** Start a tracker, collecting its output; `stderr()` is what it has said so far. */
function track(args: string[]): { child: ReturnType<typeof startBin>; done: Promise<BinResult>; stderr: () => string } {
  const child = startBin('leak-track', args);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const done = collect(child);
  return { child, done, stderr: () => err };
}

function launchedPid(stderr: string): number {
  const pid = Number(/launched .* as PID (\d+)/.exec(stderr)?.[1] ?? 0);
  if (pid > 0) launchedPids.add(pid);
  return pid;
}

function assertEndedBy(sig: Sig, r: BinResult, db: string, summary: 'text' | 'json'): SessionRow {
  assert.equal(r.code, CODES[sig], `${sig} → exit ${CODES[sig]}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  const [s] = sessions(db);
  assert.ok(s, 'a session was recorded');
  assert.ok(s.ended_at, `${sig}: the session is closed`);
  assert.equal(s.end_reason, REASONS[sig]);
  if (summary === 'json') {
    const report = JSON.parse(r.stdout) as { session: { id: number; ended_at: string | null } };
    assert.equal(report.session.id, s.id);
    assert.ok(report.session.ended_at);
  } else {
    assert.match(r.stdout, new RegExp(`^session ${s.id} .* ended: ${REASONS[sig]}$`, 'm'), `the summary is printed: ${r.stdout}`);
  }
  return s;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`${sig} mid-run (attached): summary, session closed, exit ${CODES[sig]}, the target untouched`, async () => {
    const db = path.join(tmp(), 't.db');
    const target = startFixture('leaker.py', ['--rate', '30', '--lifetime', '600']);
    try {
      const t = track([String(target.pid), '5m', '0.2', '--db', db]);
      await waitFor(() => /session \d+ in /.test(t.stderr()), 20_000, 'tracking to start');
      await waitFor(() => sessions(db)[0]!.samples >= 4, 20_000, 'four samples');
      t.child.kill(sig);
      const r = await t.done;
      const s = assertEndedBy(sig, r, db, 'text');
      assert.ok(s.samples >= 4);
      assert.ok(isAlive(target.pid!), 'an attached target is not ours to stop');
    } finally {
      target.kill('SIGKILL');
    }
  });

  test(`${sig} at the first sign of life (launch mode): session closed, the launched job gone, exit ${CODES[sig]}`, async () => {
    const db = path.join(tmp(), 'e.db');
    const t = track(['--json', '--interval', '0.5', '--db', db, '--', PYTHON, '-c', 'import time; time.sleep(300)']);
    await waitFor(() => launchedPid(t.stderr()), 20_000, 'the launch line');
    const pid = launchedPid(t.stderr());
    t.child.kill(sig);
    const r = await t.done;
    assertEndedBy(sig, r, db, 'json');
    await waitFor(() => !isAlive(pid), 5000, 'the launched job to be gone');
  });
}

test('SIGTERM to a job that ignores it: the tracker waits its grace, then SIGKILLs it; a SIGHUP while closing changes nothing', async () => {
  const db = path.join(tmp(), 's.db');
  const t = track(['--interval', '0.2', '--db', db, '--', PYTHON, ...STUBBORN]);
  await waitFor(() => launchedPid(t.stderr()), 20_000, 'the launch line');
  const pid = launchedPid(t.stderr());
  await waitFor(() => sessions(db)[0]!.samples >= 3, 20_000, 'three samples');
  t.child.kill('SIGTERM');
  // The session is closed before the grace begins (the SIGTERM was passed on to the job at once): from
  // here the tracker sits in its 5 s grace, the job still alive.
  await waitFor(() => sessions(db)[0]!.ended_at, 20_000, 'the session to be closed');
  assert.ok(isAlive(pid), 'the job ignored SIGTERM');
  t.child.kill('SIGHUP');
  const r = await t.done;
  assertEndedBy('SIGTERM', r, db, 'text');
  assert.match(r.stderr, /did not exit within 5 s; killing it/);
  await waitFor(() => !isAlive(pid), 5000, 'the stubborn job to be killed');
});

test('a signal while the duration-end closing stops a stubborn job: summary, exit 128+N, the job gone', async () => {
  const db = path.join(tmp(), 'd.db');
  const t = track(['2s', '0.25', '--db', db, '--', PYTHON, ...STUBBORN]);
  await waitFor(() => /duration reached; stopping/.test(t.stderr()), 30_000, 'the closing to begin');
  const pid = launchedPid(t.stderr());
  assert.ok(pid > 0);
  t.child.kill('SIGHUP');
  const r = await t.done;
  assert.equal(r.code, 129, r.stderr);
  const [s] = sessions(db);
  assert.equal(s!.end_reason, 'duration', 'the session had already ended by duration');
  assert.match(r.stdout, /ended: duration/);
  await waitFor(() => !isAlive(pid), 5000, 'the stubborn job to be killed');
});

test('the terminal hangs up (pty closed): leak-track closes the session, leaves no orphan, ends by SIGHUP (shell: 129)', async () => {
  const db = path.join(tmp(), 'h.db');
  // A real pseudo-terminal: leak-track is the session leader; closing the master hangs it up.
  const py = `
import os, pty, sys, time, json
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
end = time.time() + 30
while b'session ' not in out and time.time() < end:
    try:
        out += os.read(fd, 4096)
    except OSError:
        break
time.sleep(1)
os.close(fd)
_, status = os.waitpid(pid, 0)
print(json.dumps({"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0, "code": os.waitstatus_to_exitcode(status), "out": out.decode(errors="replace")}))
`;
  const res = JSON.parse(
    execFileSync(PYTHON, ['-c', py, process.execPath, bin('leak-track'), '--interval', '0.2', '--db', db, '--', PYTHON, ...STUBBORN], { encoding: 'utf8', timeout: 60_000 }),
  ) as { signal: number; code: number; out: string };
  const pid = launchedPid(res.out);
  assert.ok(pid > 0, res.out);
  // With its terminal gone, leak-track ends by the SIGHUP itself once all is saved (a shell shows 129);
  // never SIGABRT from Node restoring a dead terminal at exit.
  assert.equal(res.signal, 1, `ended by SIGHUP after a hangup, not ${JSON.stringify(res)}`);
  const [s] = sessions(db);
  assert.equal(s!.end_reason, 'hangup');
  assert.ok(s!.ended_at);
  await waitFor(() => !isAlive(pid), 5000, 'the launched job to be gone, not orphaned');
});

test('kill -9 of leak-track: the kernel SIGTERMs the launched job (no orphan); the job is recorded under its own name', async () => {
  const db = path.join(tmp(), 'k9.db');
  const t = track(['0', '0.25', '--db', db, '--', PYTHON, '-c', 'import time; time.sleep(300)']);
  const pid = await waitFor(() => launchedPid(t.stderr()), 20_000, 'the launch line');
  await waitFor(() => sessions(db)[0]?.samples! >= 2, 20_000, 'two samples');
  t.child.kill('SIGKILL');
  await t.done;
  await waitFor(() => !isAlive(pid) || /^Z/.test(procState(pid)), 10_000, `launched PID ${pid} to end after the tracker was killed`);
  const d = new Database(db, { readonly: true });
  const name = (d.prepare(`SELECT name FROM processes WHERE role = 'main'`).get() as { name: string }).name;
  d.close();
  assert.match(name, /^python/, 'the name after exec, never setpriv');
});

function procState(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}
