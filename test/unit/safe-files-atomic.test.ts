// safe-files/atomic.ts: an output is put in place whole, and what another user plants at the
// destination while it is being written (a link, a file) is refused, never followed or replaced. The
// planting is done by a real second uid through setpriv between open and commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, rmSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { openAtomicFile, writeFileAtomically } from '../../src/safe-files.js';
import { LeakError } from '../../src/errors.js';
import { startSwapLoop } from '../helpers/swap-loop.js';

const isCode = (code: number, re: RegExp) => (e: unknown) => e instanceof LeakError && e.exitCode === code && re.test(e.message);
const OTHER = 4712;
const asUser = (uid: number, script: string) => execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'sh', '-ec', script]);
const ROOT_ONLY = { skip: process.geteuid?.() !== 0 && 'needs root to act as a second user' };

/** A shared sticky directory like /tmp, and a root-only file beside it that a planted link aims at. */
function setup(): { dir: string; victim: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'ld-atomic-'));
  chmodSync(base, 0o755);
  const dir = path.join(base, 'shared');
  mkdirSync(dir);
  chmodSync(dir, 0o1777);
  const victim = path.join(base, 'root-only');
  writeFileSync(victim, 'root only\n', { mode: 0o600 });
  return { dir, victim };
}

test('a link or a file another user plants while the output is being written is refused at commit; temp removed, target untouched', ROOT_ONLY, () => {
  const { dir, victim } = setup();
  for (const [name, plant, why] of [
    ['link.html', (f: string) => `ln -s ${victim} ${f}`, /it is a symbolic link \(never followed\)/],
    ['file.html', (f: string) => `printf theirs > ${f}`, new RegExp(`it belongs to uid ${OTHER}`)],
  ] as const) {
    const f = path.join(dir, name);
    const out = openAtomicFile(f, '--html', { mode: 0o644 });
    writeSync(out.fd, 'root report');
    asUser(OTHER, plant(f));
    assert.throws(() => out.commit(), isCode(2, why));
    assert.equal(readFileSync(victim, 'utf8'), 'root only\n');
    assert.equal(lstatSync(f).uid, OTHER, 'what they planted is left as it was');
  }
  assert.deepEqual(readdirSync(dir).sort(), ['file.html', 'link.html'], 'no temp file left');
});

test('a symlink at the destination is refused whoever owns it (root included); a dangling one too', () => {
  const { dir, victim } = setup();
  symlinkSync(victim, path.join(dir, 'root-link.xml'));
  symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.xml'));
  for (const n of ['root-link.xml', 'dangling.xml']) {
    assert.throws(() => writeFileAtomically(path.join(dir, n), 'x', '--junit'), isCode(2, /it is a symbolic link \(never followed\); remove it or pick another path/));
  }
  assert.equal(readFileSync(victim, 'utf8'), 'root only\n');
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0);
});

test('our old file is replaced whole (mode as asked); replace:false refuses it; discard leaves nothing', () => {
  const { dir } = setup();
  const f = path.join(dir, 'r.html');
  writeFileAtomically(f, 'one', '--html', 0o644);
  const ino = statSync(f).ino;
  writeFileAtomically(f, 'two', '--html', 0o644);
  assert.equal(readFileSync(f, 'utf8'), 'two');
  assert.equal(statSync(f).mode & 0o777, 0o644);
  assert.notEqual(statSync(f).ino, ino, 'a new file renamed over, not written in place');
  assert.equal(statSync(f).nlink, 1);
  assert.throws(() => writeFileAtomically(f, 'three', '--out', 0o600, { replace: false }), isCode(2, /already exists; remove it or give another path/));
  assert.equal(readFileSync(f, 'utf8'), 'two');
  const out = openAtomicFile(path.join(dir, 'never.html'), '--html');
  writeSync(out.fd, 'half');
  out.discard();
  assert.deepEqual(readdirSync(dir), ['r.html']);
});

test('a full filesystem: exit 4, the previous good file intact, no temp file', { skip: process.geteuid?.() !== 0 && 'mounting a tmpfs needs root' }, (t) => {
  const mnt = mkdtempSync(path.join(tmpdir(), 'ld-atomic-fs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mnt]);
  t.after(() => execFileSync('umount', ['-l', mnt]));
  const f = path.join(mnt, 'r.html');
  writeFileAtomically(f, 'good\n', '--html', 0o644);
  assert.throws(() => writeFileAtomically(f, 'x'.repeat(1 << 20), '--html', 0o644), isCode(4, /^--html: cannot write .*r\.html: no space left on the device \(ENOSPC\); nothing was written there \(a file already there is unchanged\)/));
  assert.equal(readFileSync(f, 'utf8'), 'good\n');
  assert.deepEqual(readdirSync(mnt), ['r.html']);
});

test('a race: another user swaps a link in a loop while 150 writes or more go on (until both outcomes are met); each write lands whole or is refused, the target never changes', ROOT_ONLY, async (t) => {
  const { dir, victim } = setup();
  const f = path.join(dir, 'r.html');
  const loop = await startSwapLoop(OTHER, victim, f);
  let written = 0;
  let refused = 0;
  // 150 writes, then on until both outcomes were met: on a loaded box the loop can sit descheduled with
  // its link in place for all of 150 fast writes (a run under load 14 read 0 written, 150 refused).
  const end = Date.now() + 30_000;
  try {
    for (let i = 0; (i < 150 || written === 0 || refused === 0) && Date.now() < end; i++) {
      try {
        writeFileAtomically(f, `report ${i}\n`, '--html', 0o644);
        written++;
        assert.equal(readFileSync(f, 'utf8'), `report ${i}\n`);
        rmSync(f); // sticky: only we may remove ours; let the race go on
      } catch (e) {
        assert.ok(e instanceof LeakError && e.exitCode === 2, String(e));
        refused++;
      }
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
      if (i >= 150) await new Promise((r) => setTimeout(r, 1)); // let the loop run between the extra writes
    }
  } finally {
    loop.kill('SIGKILL');
  }
  assert.equal(readFileSync(victim, 'utf8'), 'root only\n');
  t.diagnostic(`${written} written, ${refused} refused`);
  assert.ok(refused > 0 && written > 0, `both outcomes met: ${written} written, ${refused} refused`);
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length, 0, 'no temp file left');
});
