// leak-profile --out as root: never written through a link, never into a directory another user can
// change, never over an existing file; a bad --out is exit 2 with one line, before the target is touched.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, waitFor } from '../helpers/procs.js';
import { listeningPorts } from '../../src/profile/node/inspector-port.js';

const OTHER = 4343; // another local user (no passwd entry needed)
const work = mkdtempSync(path.join(tmpdir(), 'ld-safety-out-'));
let target: ChildProcess;
after(() => {
  target?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

async function startTarget(): Promise<number> {
  target = spawn(process.execPath, ['--inspect-port=127.0.0.1:0', '-e', "const k = []; setInterval(() => k.push({ t: Date.now() }), 20); console.log('ready')"], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  target.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  await waitFor(() => out.includes('ready'), 20_000, 'the target');
  return target.pid!;
}

test('bad --out values: exit 2, one line naming the value, and the target never signalled', async () => {
  const pid = await startTarget();
  const d = (name: string) => path.join(work, name);
  mkdirSync(d('real'), { mode: 0o700 });
  symlinkSync(d('real'), d('link'));
  writeFileSync(d('file'), 'x');
  mkdirSync(d('theirs'), { mode: 0o700 });
  chownSync(d('theirs'), OTHER, OTHER);
  mkdirSync(d('open'));
  chmodSync(d('open'), 0o777);
  mkdirSync(d('group'));
  chmodSync(d('group'), 0o770);
  mkdirSync(d('their-parent'), { mode: 0o755 });
  chownSync(d('their-parent'), OTHER, OTHER);
  symlinkSync(d('real'), d('their-link'));
  lchownSync(d('their-link'), OTHER, OTHER);
  const cases: [string, string][] = [
    [d('link'), `--out ${d('link')} is a symbolic link; give the real directory (leak-profile never writes through links)`],
    [d('file'), `--out ${d('file')} exists and is not a directory; give a directory`],
    [d('theirs'), `--out ${d('theirs')} is owned by uid ${OTHER}, another user; give a directory only you (or root) can write`],
    [d('open'), `--out ${d('open')} is writable by every user (mode 777); give a directory only you (or root) can write`],
    [d('group'), `--out ${d('group')} is writable by its group (mode 770); give a directory only you (or root) can write`],
    [path.join(d('their-parent'), 'out'), `cannot trust --out ${path.join(d('their-parent'), 'out')}: ${d('their-parent')} is owned by uid ${OTHER}, another user; give a directory only you (or root) can change`],
    [path.join(d('their-link'), 'out'), `cannot trust --out ${path.join(d('their-link'), 'out')}: ${d('their-link')} is owned by uid ${OTHER}, another user; give a directory only you (or root) can change`],
    ['/proc/x', '--out /proc/x: /proc/x is on a kernel pseudo-filesystem, not a place for files; pick a path in a normal directory'],
  ];
  for (const [out, line] of cases) {
    const r = await runBin('leak-profile', ['--pid', String(pid), '--out', out, '--snapshots', '2', '--interval', '1'], { timeoutMs: 30_000 });
    assert.equal(r.code, 2, `${out}: ${r.stderr}`);
    assert.equal(r.stderr, `leak-profile: ${line}\n`);
    assert.equal(r.stdout, '');
  }
  assert.deepEqual(readdirSync(d('real')), [], 'nothing written through the link');
  assert.deepEqual(listeningPorts(pid), [], 'the target was never signalled');
});

test('a shared sticky directory: a planted link under the snapshot name is refused (exit 2), the root file behind it untouched', async () => {
  const pid = target?.exitCode === null ? target.pid! : await startTarget();
  const shared = path.join(work, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const victim = path.join(work, 'root-only');
  writeFileSync(victim, 'root data\n', { mode: 0o600 });
  const planted = path.join(shared, `${pid}-1.heapsnapshot`);
  symlinkSync(victim, planted);
  lchownSync(planted, OTHER, OTHER);
  const r = await runBin('leak-profile', ['--pid', String(pid), '--out', shared, '--snapshots', '2', '--interval', '1']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, `leak-profile: --out ${shared}: refusing ${planted}: it is a symbolic link (never followed); remove it or pick another path\n`);
  assert.equal(readFileSync(victim, 'utf8'), 'root data\n');
  assert.deepEqual(listeningPorts(pid), []);
});

test('a relative --out is created 0700 under the current directory and holds 0600 snapshots', async () => {
  const pid = target?.exitCode === null ? target.pid! : await startTarget();
  const cwd = mkdtempSync(path.join(work, 'cwd-'));
  const r = await runBin('leak-profile', ['--pid', String(pid), '--out', 'snaps/run1', '--snapshots', '2', '--interval', '1', '--json'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const dir = path.join(cwd, 'snaps', 'run1');
  assert.equal(lstatSync(dir).mode & 0o777, 0o700);
  const files = readdirSync(dir).sort();
  assert.deepEqual(files, [`${pid}-1.heapsnapshot`, `${pid}-2.heapsnapshot`]);
  for (const f of files) assert.equal(lstatSync(path.join(dir, f)).mode & 0o777, 0o600);
  assert.match(r.stderr, /inspector closed; port \d+ verified closed/);
  assert.deepEqual(listeningPorts(pid), []);
  // Run again into the same directory: refused, the first run's files kept.
  const again = await runBin('leak-profile', ['--pid', String(pid), '--out', 'snaps/run1', '--snapshots', '2', '--interval', '1'], { cwd });
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /already holds \d+-1\.heapsnapshot; give an empty directory/);
});
