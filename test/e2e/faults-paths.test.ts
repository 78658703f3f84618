// Paths another local user can change: a second and a third user (real uids via setpriv) plant
// symlinks and files in a shared sticky directory, or own the directory; root's leak-track, leak-check
// and leak-report refuse with one line, and every planted target stays byte-for-byte untouched.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, type BinResult } from '../helpers/procs.js';

const isRoot = process.geteuid?.() === 0;
const ROOT_ONLY = { skip: !isRoot && 'acting as other local users needs root (CI runs these as root)' };
const ALICE = 4731; // second local user
const BOB = 4732; // third local user
const asUser = (uid: number, script: string) => execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'sh', '-ec', script]);
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const me = String(process.pid);

let base = '';
let shared = '';
let victim = '';
let victimHash = '';
let good = '';

before(async () => {
  if (!isRoot) return;
  base = mkdtempSync(path.join(tmpdir(), 'ld-hostile-'));
  chmodSync(base, 0o755);
  shared = path.join(base, 'shared'); // like /tmp
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  victim = path.join(base, 'root-only.conf'); // a root file a planted link points at
  writeFileSync(victim, 'root configuration\n', { mode: 0o600 });
  victimHash = sha(victim);
  good = path.join(base, 'good.db');
  const r = await runBin('leak-track', [me, '1s', '0.2', '--db', good, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
});

function assertRefused(r: BinResult, re: RegExp): void {
  assert.equal(r.code, 2, `a path refusal is exit 2, got ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), re);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.equal(sha(victim), victimHash, 'the planted link target is untouched');
}

test('the default ./leak-track.db planted as a symlink by another user is refused, the root file untouched', ROOT_ONLY, async () => {
  asUser(ALICE, `ln -s ${victim} ${shared}/leak-track.db`);
  const r = await runBin('leak-track', [me, '1s', '0.2'], { cwd: shared });
  assertRefused(r, /^leak-track: database leak-track\.db: refusing .*\/shared\/leak-track\.db: it is a symbolic link \(never followed\); remove it or pick another path$/);
  const viaEnv = await runBin('leak-track', [me, '1s', '0.2'], { cwd: base, env: { LEAK_TRACK_DB: `${shared}/leak-track.db` } });
  assertRefused(viaEnv, /refusing .*leak-track\.db: it is a symbolic link/);
});

test("--db naming another user's file (0666 in a sticky dir) is refused; the file keeps its bytes", ROOT_ONLY, async () => {
  asUser(ALICE, `printf 'alice data\\n' > ${shared}/alice.db; chmod 666 ${shared}/alice.db`);
  const before = sha(`${shared}/alice.db`);
  const r = await runBin('leak-track', [me, '1s', '0.2', '--db', `${shared}/alice.db`]);
  assertRefused(r, new RegExp(`^leak-track: database .*alice\\.db: refusing .*alice\\.db: it belongs to uid ${ALICE}, not to uid 0 running leak-detective; remove it or pick another path$`));
  assert.equal(sha(`${shared}/alice.db`), before);
});

test('-wal, -shm and -journal siblings planted by a third user are refused before SQLite opens anything', ROOT_ONLY, async () => {
  for (const [name, plant] of [
    ['w', `ln -s ${victim} ${shared}/w.db-wal`],
    ['s', `ln -s ${victim} ${shared}/s.db-shm`],
    ['j', `ln -s ${victim} ${shared}/j.db-journal`],
    ['f', `: > ${shared}/f.db-wal; chmod 666 ${shared}/f.db-wal`],
  ] as const) {
    asUser(BOB, plant);
    const r = await runBin('leak-track', [me, '1s', '0.2', '--db', `${shared}/${name}.db`]);
    assertRefused(r, new RegExp(`^leak-track: database .*${name}\\.db-(wal|shm|journal): refusing .*${name}\\.db-(wal|shm|journal): (it is a symbolic link|it belongs to uid ${BOB})`));
    assert.equal(existsSync(`${shared}/${name}.db`), false, 'no DB was created beside a planted sibling');
  }
  assert.equal(statSync(`${shared}/f.db-wal`).size, 0, "Bob's file was not written");
});

test("a directory another user owns (or can write) is not used for the DB, the JUnit file or a report's read", ROOT_ONLY, async () => {
  const bobs = path.join(base, 'bobs');
  mkdirSync(bobs);
  execFileSync('chown', [`${BOB}:${BOB}`, bobs]);
  const r = await runBin('leak-track', [me, '1s', '0.2', '--db', `${bobs}/x.db`]);
  assertRefused(r, new RegExp(`^leak-track: database .*bobs/x\\.db: directory .*bobs belongs to uid ${BOB}, who could swap files there`));
  assert.deepEqual(readdirSync(bobs), []);
  const j = await runBin('leak-check', ['--db', good, '--max-rate', '50', '--junit', `${bobs}/r.xml`]);
  assertRefused(j, new RegExp(`^leak-check: --junit: directory .*bobs belongs to uid ${BOB}`));
  assert.deepEqual(readdirSync(bobs), []);
  // Reading Bob's DB is fine, but through a private copy: nothing is created in Bob's directory.
  execFileSync('cp', [good, `${bobs}/theirs.db`]);
  execFileSync('chown', [`${BOB}:${BOB}`, `${bobs}/theirs.db`]);
  const rep = await runBin('leak-report', ['--db', `${bobs}/theirs.db`, '--json']);
  assert.equal(rep.code, 0, rep.stderr);
  assert.deepEqual(readdirSync(bobs), ['theirs.db'], 'no -shm or -wal created as root in their directory');
  asUser(BOB, `ln -s ${victim} ${bobs}/theirs.db-shm`);
  assertRefused(await runBin('leak-report', ['--db', `${bobs}/theirs.db`]), /^leak-report: refusing .*theirs\.db-shm: it is a symbolic link/);
});

test("--junit planted as a symlink or another user's file is refused before any output; a fresh one replaces nothing of theirs", ROOT_ONLY, async () => {
  asUser(ALICE, `ln -s ${victim} ${shared}/report.xml; printf 'mine\\n' > ${shared}/alice.xml; chmod 666 ${shared}/alice.xml`);
  const link = await runBin('leak-check', ['--db', good, '--max-rate', '50', '--junit', `${shared}/report.xml`]);
  assertRefused(link, /^leak-check: --junit: refusing .*report\.xml: it is a symbolic link \(never followed\)/);
  assert.equal(link.stdout, '', 'refused before the check printed anything');
  const theirs = await runBin('leak-check', ['--db', good, '--max-rate', '50', '--junit', `${shared}/alice.xml`]);
  assertRefused(theirs, new RegExp(`belongs to uid ${ALICE}`));
  assert.equal(readFileSync(`${shared}/alice.xml`, 'utf8'), 'mine\n');
  const ok = await runBin('leak-check', ['--db', good, '--max-rate', '50', '--junit', `${shared}/root.xml`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(lstatSync(`${shared}/root.xml`).uid, 0);
  assert.equal(lstatSync(`${shared}/report.xml`).isSymbolicLink(), true, "Alice's link is left as it was");
});

test('a DB root creates in a shared sticky directory is 0600 with 0600 -wal/-shm, all owned by root', ROOT_ONLY, async () => {
  const db = `${shared}/fresh.db`;
  const r = await runBin('leak-track', [me, '1s', '0.2', '--db', db, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  for (const f of [db, ...['-wal', '-shm'].map((s) => db + s).filter(existsSync)]) {
    const st = lstatSync(f);
    assert.equal(st.uid, 0, f);
    assert.equal(st.mode & 0o777, 0o600, `${f} is 0600`);
  }
  assert.deepEqual(readdirSync(shared).filter((n) => n.startsWith('.leak-track-new-')), [], 'the private build directory is gone');
  // Alice cannot replace it (sticky): root's next run appends to its own file.
  assert.throws(() => asUser(ALICE, `rm -f ${db}`), 'sticky: Alice cannot remove root\'s DB');
  assert.equal((await runBin('leak-track', [me, '1s', '0.2', '--db', db, '--quiet'])).code, 0);
});
