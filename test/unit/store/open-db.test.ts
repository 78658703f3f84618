import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { openDbForRead, openDbForWrite } from '../../../src/store/open-db.js';
import { SessionWriter } from '../../../src/store/session-writer.js';
import { readSession, resolveSessionIds } from '../../../src/store/read-session.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from '../../../src/store/schema.js';
import { LeakError } from '../../../src/errors.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ld-db-'));
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const isCode = (code: number, re: RegExp) => (e: unknown) => e instanceof LeakError && e.exitCode === code && re.test(e.message);

test('a new DB is created mode 0600, in WAL, at the current schema version', () => {
  const f = path.join(tmp(), 'new.db');
  const db = openDbForWrite(f);
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.close();
});

test('samples written per tick read back; a reused PID is a separate process', () => {
  const f = path.join(tmp(), 'rw.db');
  const db = openDbForWrite(f);
  const w = new SessionWriter(db, { label: 'x', interval_s: 1, target: 'test' });
  const a = w.addProcess({ pid: 100, ppid: 1, start_ticks: 5, name: 'python', cmdline: 'python a.py', role: 'main' }, 0);
  const b = w.addProcess({ pid: 100, ppid: 1, start_ticks: 9, name: 'python', cmdline: 'python b.py', role: 'child' }, 0);
  for (let i = 0; i < 3; i++) {
    w.appendTick([
      { processId: a, sample: { t_ms: 1000 * i, rss: 10, uss: 5 + i, pss: 6, swap: 0, vram: null, cpu: 1 } },
      { processId: b, sample: { t_ms: 1000 * i, rss: 20, uss: null, pss: null, swap: null, vram: 7, cpu: null } },
    ]);
  }
  w.end('duration');
  db.close();
  const r = openDbForRead(f);
  const [id] = resolveSessionIds(r, 'latest');
  const s = readSession(r, id!);
  assert.equal(s.info.end_reason, 'duration');
  assert.equal(s.processes.length, 2);
  assert.deepEqual(s.processes[0]!.uss, [5, 6, 7]);
  assert.deepEqual(s.processes[1]!.vram, [7, 7, 7]);
  assert.notEqual(s.processes[0]!.info.start_ticks, s.processes[1]!.info.start_ticks);
  assert.throws(() => resolveSessionIds(r, '99'), isCode(3, /no session 99.*sessions: 1/));
  assert.throws(() => resolveSessionIds(r, 'newest'), isCode(2, /--session must be/));
  r.close();
});

test('a foreign SQLite DB is refused and left byte-for-byte untouched', () => {
  const f = path.join(tmp(), 'foreign.db');
  const other = new Database(f);
  other.exec('CREATE TABLE users (name TEXT); INSERT INTO users VALUES (\'ada\')');
  other.close();
  const before = sha(f);
  assert.throws(() => openDbForWrite(f), isCode(2, /not a leak-track one; it was left untouched/));
  assert.throws(() => openDbForRead(f), isCode(2, /not a leak-track one/));
  assert.equal(sha(f), before);
});

test('a newer schema is refused, untouched', () => {
  const f = path.join(tmp(), 'newer.db');
  openDbForWrite(f).close();
  const db = new Database(f);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  const before = sha(f);
  assert.throws(() => openDbForWrite(f), isCode(2, /newer than this leak-detective understands/));
  assert.equal(sha(f), before);
});

test('a file that is not SQLite at all is refused, untouched', () => {
  const f = path.join(tmp(), 'notes.db');
  writeFileSync(f, 'these are my notes, not a database\n'.repeat(200));
  const before = sha(f);
  assert.throws(() => openDbForWrite(f), isCode(2, /not a leak-track database|cannot open/));
  assert.equal(sha(f), before);
});

test('unwritable locations and missing DBs give one clear line', () => {
  assert.throws(() => openDbForWrite('/nonexistent-dir/x.db'), isCode(2, /directory \/nonexistent-dir does not exist/));
  assert.throws(() => openDbForRead(path.join(tmp(), 'missing.db')), isCode(3, /no database at/));
});

test('a --db on /proc is refused before SQLite touches it, a usage error, not an internal one', () => {
  assert.throws(() => openDbForWrite('/proc/version'), isCode(2, /^database \/proc\/version: \/proc\/version is on a kernel pseudo-filesystem, not a place for files; pick a path in a normal directory$/));
  assert.throws(() => openDbForWrite('/sys/kernel/new.db'), isCode(2, /pseudo-filesystem/));
});

test('a version-1 DB (before the memory limit) reads as it is, and a writer migrates it in place, keeping its sessions', () => {
  const f = path.join(tmp(), 'v1.db');
  const raw = new Database(f);
  raw.exec(MIGRATIONS[0]!);
  raw.pragma(`application_id = ${APPLICATION_ID}`);
  raw.pragma('user_version = 1');
  raw.prepare(`INSERT INTO sessions (label, started_at, interval_s) VALUES ('old', '2026-01-01T00:00:00Z', 2)`).run();
  raw.close();
  const r = openDbForRead(f);
  assert.equal(r.pragma('user_version', { simple: true }), 1, 'a reader never migrates');
  const old = readSession(r, 1).info;
  r.close();
  assert.equal(old.label, 'old');
  assert.equal('mem_limit_mb' in old, false);
  const w = openDbForWrite(f);
  assert.equal(w.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  const s = new SessionWriter(w, { label: 'new', interval_s: 1, target: 't', mem_limit: { bytes: 512 * 1024 * 1024, source: 'cgroup /a' } });
  assert.deepEqual(readSession(w, 1).info.label, 'old');
  const info = readSession(w, s.sessionId).info;
  w.close();
  assert.equal(info.mem_limit_mb, 512);
  assert.equal(info.mem_limit_source, 'cgroup /a');
});
