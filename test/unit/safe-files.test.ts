// safe-files: what another local user can plant is refused, new files are exclusive 0600, outputs
// replace their destination by rename. Planting is done by real other uids through setpriv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import {
  assertTrustedDirectory, checkExistingFile, checkOutputPath, copyFileExclusive, createFileExclusive, readFileSafely, writeFileAtomically,
} from '../../src/safe-files.js';
import { LeakError } from '../../src/errors.js';
import { waitForFile } from '../helpers/wait.js';

const isCode = (code: number, re: RegExp) => (e: unknown) => e instanceof LeakError && e.exitCode === code && re.test(e.message);
const OTHER = 4711; // a second local user (no passwd entry needed for setpriv)
const asUser = (uid: number, cmd: string[]) => execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...cmd]);
const isRoot = process.geteuid?.() === 0;

/** A shared sticky directory like /tmp, private to this test. */
function sharedDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'ld-safe-'));
  chmodSync(d, 0o755); // other users may reach the shared dir inside
  const shared = path.join(d, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  return shared;
}

test('createFileExclusive: a new file is 0600; an existing name or a symlink is never opened', () => {
  const dir = sharedDir();
  const f = path.join(dir, 'new.out');
  closeSync(createFileExclusive(f, '--out'));
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.throws(() => createFileExclusive(f, '--out'), isCode(2, /appeared while it was being created/));
  const victim = path.join(dir, 'victim');
  writeFileSync(victim, 'keep me');
  symlinkSync(victim, path.join(dir, 'link'));
  assert.throws(() => createFileExclusive(path.join(dir, 'link'), '--out'), (e: unknown) => e instanceof LeakError && e.exitCode === 2);
  assert.equal(readFileSync(victim, 'utf8'), 'keep me');
});

test("files another user planted in a shared sticky directory are refused, and their targets stay untouched", { skip: !isRoot && 'needs root to act as a second user' }, () => {
  const dir = sharedDir();
  const rootFile = path.join(path.dirname(dir), 'root-secret');
  writeFileSync(rootFile, 'root only\n', { mode: 0o600 });
  asUser(OTHER, ['sh', '-c', `ln -s ${rootFile} ${dir}/report.xml; echo theirs > ${dir}/theirs.xml; chmod 666 ${dir}/theirs.xml`]);
  assert.equal(lstatSync(path.join(dir, 'report.xml')).uid, OTHER);
  assert.throws(() => checkOutputPath(path.join(dir, 'report.xml'), '--junit'), isCode(2, /^--junit: refusing .*report\.xml: it is a symbolic link \(never followed\)/));
  assert.throws(() => writeFileAtomically(path.join(dir, 'theirs.xml'), 'x', '--junit'), isCode(2, new RegExp(`belongs to uid ${OTHER}, not to uid 0`)));
  assert.equal(readFileSync(rootFile, 'utf8'), 'root only\n');
  assert.equal(readFileSync(path.join(dir, 'theirs.xml'), 'utf8'), 'theirs\n');
  // A hard link to a root file (possible where protected_hardlinks is off) is refused by its link count.
  const hard = path.join(dir, 'hard.db');
  linkSync(rootFile, hard);
  assert.throws(() => checkExistingFile(hard, '--db'), isCode(2, /2 hard links/));
});

test('directories another user can change are not trusted; sticky ones and our own are', { skip: !isRoot && 'needs root to act as a second user' }, () => {
  const base = mkdtempSync(path.join(tmpdir(), 'ld-trust-'));
  chmodSync(base, 0o755);
  const theirs = path.join(base, 'theirs');
  mkdirSync(theirs);
  execFileSync('chown', [`${OTHER}:${OTHER}`, theirs]);
  assert.throws(() => assertTrustedDirectory(theirs, '--db x'), isCode(2, new RegExp(`directory ${theirs} belongs to uid ${OTHER}`)));
  assert.throws(() => assertTrustedDirectory(path.join(theirs, '.'), '--db x'), isCode(2, /belongs to uid/));
  const groupW = path.join(base, 'group');
  mkdirSync(groupW);
  chmodSync(groupW, 0o775);
  assert.throws(() => assertTrustedDirectory(groupW, '--db x'), isCode(2, /writable by its group and not sticky/));
  const world = path.join(base, 'world');
  mkdirSync(world);
  chmodSync(world, 0o777);
  assert.throws(() => assertTrustedDirectory(world, '--db x'), isCode(2, /writable by every user and not sticky/));
  assert.equal(assertTrustedDirectory(sharedDir(), '--db x').endsWith('/shared'), true);
  assert.throws(() => assertTrustedDirectory(path.join(base, 'missing'), '--db x'), isCode(2, /does not exist/));
});

test('writeFileAtomically: replaces our old file by rename, leaves no temp file; a symlink planted later is replaced, not followed', () => {
  const dir = sharedDir();
  const f = path.join(dir, 'out.html');
  writeFileAtomically(f, 'one', '--html');
  writeFileAtomically(f, 'two', '--html');
  assert.equal(readFileSync(f, 'utf8'), 'two');
  assert.equal(statSync(f).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['out.html']);
  assert.throws(() => writeFileAtomically(path.join(dir, 'nodir', 'x.html'), 'x', '--html'), isCode(2, /nodir does not exist/));
  assert.throws(() => writeFileAtomically(dir, 'x', '--html'), isCode(2, /is a directory/));
  assert.throws(() => checkOutputPath('/proc/self/status', '--junit'), isCode(2, /pseudo-filesystem/));
  assert.throws(() => checkOutputPath('/dev/null', '--junit'), isCode(2, /pseudo-filesystem/));
});

test('readFileSafely: O_NOFOLLOW, owner and size checked on the open file', () => {
  const dir = sharedDir();
  const f = path.join(dir, 'result.json');
  writeFileSync(f, '{"ok":true}');
  assert.equal(readFileSafely(f, 'census', { maxBytes: 100 }).toString(), '{"ok":true}');
  assert.throws(() => readFileSafely(f, 'census', { maxBytes: 5 }), isCode(2, /11 bytes, more than the 5 expected/));
  symlinkSync(f, path.join(dir, 'link.json'));
  assert.throws(() => readFileSafely(path.join(dir, 'link.json'), 'census', { maxBytes: 100 }), isCode(2, /symbolic link/));
  assert.throws(() => readFileSafely(f, 'census', { maxBytes: 100, owners: [OTHER] }), isCode(2, new RegExp(`expected ${OTHER}`)));
});

test('copyFileExclusive: a 0600 copy; a symlinked source or an existing destination is refused', () => {
  const dir = sharedDir();
  const src = path.join(dir, 'src.bin');
  writeFileSync(src, Buffer.alloc(3 << 20, 7)); // several 1 MiB chunks
  const dst = path.join(dir, 'dst.bin');
  copyFileExclusive(src, dst, 'copy');
  assert.deepEqual(readFileSync(dst), readFileSync(src));
  assert.equal(statSync(dst).mode & 0o777, 0o600);
  assert.throws(() => copyFileExclusive(src, dst, 'copy'), isCode(2, /appeared while it was being created/));
  symlinkSync(src, path.join(dir, 'link.bin'));
  assert.throws(() => copyFileExclusive(path.join(dir, 'link.bin'), path.join(dir, 'other.bin'), 'copy'), isCode(2, /refusing .*link\.bin: it is a symbolic link/));
});

test('a DB with a second link that goes away at once (a tracker creating it at the same moment) is opened; one that stays is refused', async () => {
  const { checkDbPathForWrite } = await import('../../src/store/db-files.js');
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-dblink-'));
  const db = path.join(dir, 'shared.db');
  writeFileSync(db, '', { mode: 0o600 });
  const other = path.join(dir, 'creator-private-new.db');
  linkSync(db, other);
  // the racing creator's private name, removed by another process while this one checks (the check is
  // synchronous, as the tracker's is): it waits for the name to go, then opens the DB
  const rm = spawn('sh', ['-c', `touch "${dir}/started"; while [ ! -e "${dir}/checking" ]; do :; done; rm -f "${other}"`]);
  await waitForFile(path.join(dir, 'started'));
  writeFileSync(path.join(dir, 'checking'), '');
  assert.deepEqual(checkDbPathForWrite(db), { dest: db, exists: true });
  await new Promise((r) => rm.on('exit', r));
  // a second name that stays (a planted hard link) is refused, as before
  linkSync(db, other);
  assert.throws(() => checkDbPathForWrite(db), isCode(2, /2 hard links/));
});
