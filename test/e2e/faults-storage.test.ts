// Storage failing under leak-track: a real tmpfs that fills, the DB's directory removed, read-only
// media, a read-only DB file, a corrupt DB. Each ends in one clear line and exit 4 (never 0, never 70),
// and what was committed stays readable by leak-report.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { runBin, startBin, startFixture, collect, waitFor, type BinResult } from '../helpers/procs.js';
import { bin } from '../helpers/paths.js';

const isRoot = process.geteuid?.() === 0;
const ROOT_ONLY = { skip: !isRoot && 'mounting a tmpfs needs root (CI runs these as root)' };
/** A real small tmpfs of `size`, unmounted (lazily, even if a file is still open) when the test ends. */
function smallTmpfs(t: TestContext, size: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-fs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  t.after(() => {
    try {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    } catch { /* already gone */ }
  });
  return dir;
}

function sampleCount(db: string): number {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
  } finally {
    d.close();
  }
}

/** True once `db` exists and holds at least `n` committed samples (false while it is being created). */
function hasSamples(db: string, n: number): boolean {
  try {
    return sampleCount(db) >= n;
  } catch {
    return false;
  }
}

/** One stderr line, exit 4, no internal error, no stack. */
function assertStorageFailure(r: BinResult, re: RegExp): string {
  assert.equal(r.code, 4, `exit 4 (storage failed), got ${r.code}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|this is a bug|\n\s+at /);
  assert.match(lines[0]!, re);
  return lines[0]!;
}

/** Samples of the main process in a Report JSON made with --metric rss (RSS is read every tick; USS may be read every k-th tick on a loaded machine). */
function reportSamples(r: BinResult): number {
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { processes: { role: string; samples: number }[] };
  return report.processes.find((p) => p.role === 'main')!.samples;
}

test('the DB filesystem fills mid-run: exit 4 naming the full disk, and leak-report reads every committed sample', ROOT_ONLY, async (t) => {
  const mnt = smallTmpfs(t, '3m');
  const db = path.join(mnt, 'full.db');
  const target = startFixture('leaker.py', ['--rate', '0', '--base', '5', '--lifetime', '600']);
  try {
    const tracker = startBin('leak-track', [String(target.pid), '5m', '0.1', '--db', db, '--quiet']);
    const done = collect(tracker);
    await waitFor(() => hasSamples(db, 5), 20_000, 'five committed samples');
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${path.join(mnt, 'fill')}`, 'bs=64k'], { stdio: 'ignore' });
    } catch { /* dd stops at ENOSPC: the point */ }
    const before = sampleCount(db);
    const r = await done;
    const line = assertStorageFailure(r, /^leak-track: writing samples to database .*full\.db failed: the disk is full \(SQLITE_FULL\); \d+ ticks committed before it/);
    assert.match(line, /leak-report --db .*full\.db --session 1$/);
    // Still full: leak-report reads what was committed.
    const rep = await runBin('leak-report', ['--db', db, '--json', '--metric', 'rss']);
    assert.ok(reportSamples(rep) >= before, `leak-report sees ≥ ${before} samples`);
    rmSync(path.join(mnt, 'fill'));
    assert.ok(reportSamples(await runBin('leak-report', ['--db', db, '--json', '--metric', 'rss'])) >= before);
  } finally {
    target.kill('SIGKILL');
  }
});

test("the DB's directory is removed mid-run: exit 4 at once, and the committed ticks are rescued", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-rm-'));
  const db = path.join(dir, 'gone.db');
  const target = startFixture('leaker.py', ['--rate', '0', '--base', '5', '--lifetime', '600']);
  try {
    const tracker = startBin('leak-track', [String(target.pid), '5m', '0.1', '--db', db, '--quiet']);
    const done = collect(tracker);
    await waitFor(() => hasSamples(db, 5), 20_000, 'five committed samples');
    const before = sampleCount(db);
    rmSync(dir, { recursive: true });
    const r = await done;
    const line = assertStorageFailure(r, /^leak-track: database .*gone\.db was removed \(or its directory was\) while tracking; samples written after that would be lost with it; \d+ ticks committed before it: they were rescued to (\S+): leak-report --db \S+ --session 1$/);
    const rescued = /rescued to (\S+):/.exec(line)![1]!;
    assert.ok(reportSamples(await runBin('leak-report', ['--db', rescued, '--json', '--metric', 'rss'])) >= before, 'the rescue holds every sample committed before the removal');
    rmSync(path.dirname(rescued), { recursive: true });
  } finally {
    target.kill('SIGKILL');
  }
});

test('the DB file replaced under a running tracker (renamed over): exit 4 naming the replacement, the new file untouched', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-swap-'));
  const db = path.join(dir, 'swap.db');
  const target = startFixture('leaker.py', ['--rate', '0', '--base', '5', '--lifetime', '600']);
  try {
    const tracker = startBin('leak-track', [String(target.pid), '5m', '0.1', '--db', db, '--quiet']);
    const done = collect(tracker);
    await waitFor(() => hasSamples(db, 5), 20_000, 'five committed samples');
    const other = path.join(dir, 'other');
    writeFileSync(other, 'someone else\'s file\n');
    renameSync(other, db);
    const r = await done;
    assertStorageFailure(r, /^leak-track: database .*swap\.db was replaced by another file while tracking; .* they were rescued to \S+: leak-report --db \S+ --session 1$/);
    assert.equal(readFileSync(db, 'utf8'), 'someone else\'s file\n', 'the file now at the path is not written');
  } finally {
    target.kill('SIGKILL');
  }
});

test('read-only media: leak-track refuses with exit 4; leak-report reads a cleanly closed DB and one whose writer was killed', ROOT_ONLY, async (t) => {
  const mnt = smallTmpfs(t, '8m');
  const clean = path.join(mnt, 'clean.db');
  const killed = path.join(mnt, 'killed.db');
  const target = startFixture('leaker.py', ['--rate', '0', '--base', '5', '--lifetime', '600']);
  try {
    assert.equal((await runBin('leak-track', [String(target.pid), '1s', '0.1', '--db', clean, '--quiet'])).code, 0);
    const tracker = startBin('leak-track', [String(target.pid), '5m', '0.1', '--db', killed, '--quiet']);
    const done = collect(tracker);
    await waitFor(() => hasSamples(killed, 5), 20_000, 'five committed samples');
    tracker.kill('SIGKILL');
    await done;
    const committed = sampleCount(killed); // in its -wal: the writer never checkpointed
    const cleanCount = sampleCount(clean);
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const r = await runBin('leak-track', [String(target.pid), '1s', '0.1', '--db', clean, '--quiet']);
    assertStorageFailure(r, /^leak-track: .*database .*clean\.db.*(read-only|EROFS)/);
    assert.equal(reportSamples(await runBin('leak-report', ['--db', clean, '--json', '--metric', 'rss'])), cleanCount);
    assert.equal(reportSamples(await runBin('leak-report', ['--db', killed, '--json', '--metric', 'rss'])), committed, 'every committed sample, WAL included');
    const fresh = await runBin('leak-track', [String(target.pid), '1s', '0.1', '--db', path.join(mnt, 'new.db'), '--quiet']);
    assertStorageFailure(fresh, /new\.db.*(EROFS|read-only)/);
  } finally {
    target.kill('SIGKILL');
  }
});

test('a read-only DB file (its owner running leak-track): exit 4, the file unchanged', ROOT_ONLY, async () => {
  const USER = 4712;
  const base = mkdtempSync(path.join(tmpdir(), 'ld-ro-'));
  chmodSync(base, 0o755);
  const home = path.join(base, 'home');
  mkdirSync(home, { mode: 0o700 });
  chownSync(home, USER, USER);
  const db = path.join(home, 'ro.db');
  const target = startFixture('leaker.py', ['--rate', '0', '--base', '5', '--lifetime', '600']);
  const asUser = (args: string[]) => {
    try {
      execFileSync('setpriv', [`--reuid=${USER}`, `--regid=${USER}`, '--clear-groups', process.execPath, bin('leak-track'), ...args], { cwd: home, stdio: 'pipe', encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      return { code: 0, stderr: '', stdout: '', signal: null } as BinResult;
    } catch (e) {
      const x = e as { status: number; stderr: string; stdout: string };
      return { code: x.status, stderr: x.stderr, stdout: x.stdout, signal: null } as BinResult;
    }
  };
  try {
    const first = asUser([String(target.pid), '1s', '0.2', '--db', db, '--quiet']);
    assert.equal(first.code, 0, first.stderr);
    chmodSync(db, 0o444);
    const size = statSync(db).size;
    const r = asUser([String(target.pid), '1s', '0.2', '--db', db, '--quiet']);
    assertStorageFailure(r, /ro\.db.*read-only/);
    assert.equal(statSync(db).size, size);
  } finally {
    target.kill('SIGKILL');
  }
});

test('a corrupt DB: leak-track and leak-report say so with exit 4; a file that is not SQLite stays exit 2', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-corrupt-'));
  const db = path.join(dir, 'c.db');
  const target = startFixture('leaker.py', ['--rate', '0', '--base', '5', '--lifetime', '600']);
  try {
    assert.equal((await runBin('leak-track', [String(target.pid), '2s', '0.1', '--db', db, '--quiet'])).code, 0);
    const pages = statSync(db).size / 4096;
    assert.ok(pages >= 4, `${pages} pages`);
    const fd = openSync(db, 'r+');
    for (let p = 1; p < pages; p++) writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, p * 4096); // every page but the header
    closeSync(fd);
    assertStorageFailure(await runBin('leak-track', [String(target.pid), '1s', '0.1', '--db', db, '--quiet']), /c\.db.*corrupt \(SQLITE_CORRUPT/);
    assertStorageFailure(await runBin('leak-report', ['--db', db]), /c\.db.*corrupt \(SQLITE_CORRUPT/);
    const notes = path.join(dir, 'notes.db');
    writeFileSync(notes, 'my notes, not a database\n'.repeat(300));
    for (const r of [await runBin('leak-track', [String(target.pid), '1s', '0.1', '--db', notes]), await runBin('leak-report', ['--db', notes])]) {
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), /^leak-(track|report): .*notes\.db.*not a (leak-track|SQLite) database/);
    }
    assert.equal(readFileSync(notes, 'utf8'), 'my notes, not a database\n'.repeat(300), 'left untouched');
  } finally {
    target.kill('SIGKILL');
  }
});
