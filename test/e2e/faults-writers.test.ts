// Every file the tools write, tried by a hostile neighbour: a second and a third user (real uids via
// setpriv) plant a symlink to a root-only file, a regular file of theirs, or own the directory. Root's
// command refuses with one line and exit 2 (exactly: a path refusal is a usage error), before any work,
// and the root-only file keeps its bytes. Then a race at --html, a link planted during a tracking run,
// a full disk under --html, and root's own symlink at --junit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { bin } from '../helpers/paths.js';
import { startSwapLoop } from '../helpers/swap-loop.js';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { collect, runBin, startBin, startFixture, waitFor, type BinResult } from '../helpers/procs.js';

const isRoot = process.geteuid?.() === 0;
const ROOT_ONLY = { skip: !isRoot && 'acting as other local users needs root (CI runs these as root)' };
const ALICE = 4731; // second local user, plants in the shared directory
const BOB = 4732; // third local user, owns a directory
const asUser = (uid: number, script: string) => execFileSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'sh', '-ec', script]);
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

let base = '';
let shared = ''; // sticky and world-writable, like /tmp
let bobs = ''; // Bob's own directory
let victim = '';
let victimHash = '';
let trace = '';
let node: ChildProcess | null = null;
let py: ChildProcess | null = null;

before(() => {
  if (!isRoot) return;
  base = mkdtempSync(path.join(tmpdir(), 'ld-writers-'));
  chmodSync(base, 0o755);
  shared = path.join(base, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  bobs = path.join(base, 'bobs');
  mkdirSync(bobs, { mode: 0o755 });
  execFileSync('chown', [`${BOB}:${BOB}`, bobs]);
  victim = path.join(base, 'root-only.conf');
  writeFileSync(victim, 'root configuration\n', { mode: 0o600 });
  victimHash = sha(victim);
  trace = path.join(base, 'trace.csv');
  writeFileSync(trace, `t_s,rss_bytes\n${Array.from({ length: 60 }, (_, i) => `${i},${(100 + i) * 1048576}`).join('\n')}\n`);
});
after(() => {
  node?.kill('SIGKILL');
  py?.kill('SIGKILL');
  if (base) rmSync(base, { recursive: true, force: true });
});

function assertRefused(r: BinResult, re: RegExp): void {
  assert.equal(r.code, 2, `a path refusal is exit 2, got ${r.code}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), re);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.equal(sha(victim), victimHash, 'the root-only file is untouched');
}

const plantLink = (file: string) => asUser(ALICE, `ln -s ${victim} ${file}`);
const plantFile = (file: string) => asUser(ALICE, `printf 'alice\\n' > ${file}; chmod 666 ${file}`);

/** A fresh sticky world-writable directory (like /tmp) for one case. */
function stickyDir(name: string): string {
  const d = path.join(base, name);
  mkdirSync(d);
  chmodSync(d, 0o1777);
  return d;
}

/**
 * One writer, three plants: Alice's link to the root-only file where root's command will write, Alice's
 * own file there, and Bob's directory as the place. `file(dir)` is the path the writer writes in `dir`;
 * `run(dir, file)` runs root's command.
 */
async function tryWriter(name: string, file: (dir: string) => string, run: (dir: string, file: string) => Promise<BinResult>, what: string): Promise<void> {
  const l = stickyDir(`${name}-link`);
  plantLink(file(l));
  assertRefused(await run(l, file(l)), new RegExp(`${what}.*refusing .*${path.basename(file(l))}: it is a symbolic link \\(never followed\\)`));
  assert.equal(lstatSync(file(l)).isSymbolicLink(), true, "Alice's link is left as it was");
  const f = stickyDir(`${name}-file`);
  plantFile(file(f));
  assertRefused(await run(f, file(f)), new RegExp(`${what}.*refusing .*${path.basename(file(f))}: it belongs to uid ${ALICE}, not to uid 0`));
  assert.equal(readFileSync(file(f), 'utf8'), 'alice\n', "Alice's file keeps its bytes");
  for (const d of [l, f]) assert.deepEqual(readdirSync(d), [path.basename(file(d))], 'no temp file or other file left');
  assertRefused(await run(bobs, file(bobs)), new RegExp(`${what}.*(directory .*bobs belongs to uid ${BOB}|bobs is owned by uid ${BOB})`));
  assert.deepEqual(readdirSync(bobs), [], "nothing created in Bob's directory");
}

const inDir = (name: string) => (dir: string) => path.join(dir, name);

test('the session DB (leak-track --db)', ROOT_ONLY, async () => {
  await tryWriter('db', inDir('t.db'), (_d, f) => runBin('leak-track', [String(process.pid), '1s', '0.2', '--db', f]), '^leak-track: database');
});

test("the private copy leak-report reads a DB through is never made in a TMPDIR another user owns", ROOT_ONLY, async () => {
  const open = path.join(base, 'open'); // writable by everyone, not sticky: a DB there is read from a private copy
  mkdirSync(open);
  chmodSync(open, 0o777);
  const db = path.join(open, 'x.db');
  assert.equal((await runBin('leak-track', [String(process.pid), '1s', '0.2', '--db', path.join(base, 'x.db'), '--quiet'])).code, 0);
  execFileSync('cp', [path.join(base, 'x.db'), db]);
  assert.equal((await runBin('leak-report', ['--db', db, '--json'])).code, 0, 'read through a private copy in a trusted TMPDIR');
  assertRefused(await runBin('leak-report', ['--db', db, '--json'], { env: { TMPDIR: bobs } }), new RegExp(`^leak-report: reading .*x\\.db: the temp directory \\(TMPDIR\\): directory .*bobs belongs to uid ${BOB}`));
  assert.deepEqual(readdirSync(bobs), []);
});

test('--junit (leak-check)', ROOT_ONLY, async () => {
  await tryWriter('junit', inDir('r.xml'), (_d, f) => runBin('leak-check', ['--trace', trace, '--max-rate', '50', '--junit', f]), '^leak-check: --junit');
});

test('--html of leak-report', ROOT_ONLY, async () => {
  await tryWriter('report-html', inDir('r.html'), (_d, f) => runBin('leak-report', ['--trace', trace, '--html', f]), '^leak-report: --html');
});

test('--html of leak-track (refused before the DB is opened or anything launched)', ROOT_ONLY, async () => {
  const marker = path.join(base, 'launched');
  await tryWriter('track-html', inDir('r.html'), (_d, f) => runBin('leak-track', ['--db', path.join(base, 'th.db'), '--html', f, '--duration', '5s', '--', 'touch', marker]), '^leak-track: --html');
  assert.ok(!existsSync(marker) && !existsSync(path.join(base, 'th.db')));
});

test('--html of leak-profile (offline snapshots: refused before they are read)', ROOT_ONLY, async () => {
  await tryWriter('profile-html', inDir('p.html'), (_d, f) => runBin('leak-profile', ['--snapshot', 'a.heapsnapshot', 'b.heapsnapshot', '--html', f]), '^leak-profile: --html');
});

test('heap snapshots in leak-profile --out (Node): refused before the target is signalled', ROOT_ONLY, async () => {
  node = startFixture('leaker.js', ['--lifetime', '600']);
  const pid = node.pid!;
  await tryWriter('snapshots', inDir(`${pid}-1.heapsnapshot`), (d) => runBin('leak-profile', ['--pid', String(pid), '--out', d, '--snapshots', '2', '--interval', '1'], { timeoutMs: 60_000 }), '^leak-profile: (cannot trust )?--out');
});

test('censuses in leak-profile --out (Python), and the census channel in a TMPDIR another user owns', ROOT_ONLY, async () => {
  py = startFixture('py_sleeper.py', ['120']);
  const pid = py.pid!;
  let out = '';
  py.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  await waitFor(() => out.includes('sleeping'), 20_000, 'the Python target');
  const profile = (d: string, env?: NodeJS.ProcessEnv) => runBin('leak-profile', ['--pid', String(pid), '--out', d, '--snapshots', '2', '--interval', '1'], { timeoutMs: 60_000, env });
  await tryWriter('censuses', inDir(`census-${pid}-1.json`), (d) => profile(d), '^leak-profile: (cannot trust )?--out');
  const r = await profile(stickyDir('census-channel'), { TMPDIR: bobs });
  assertRefused(r, new RegExp(`^leak-profile: the census channel directory: directory .*bobs belongs to uid ${BOB}`));
  assert.deepEqual(readdirSync(bobs), []);
});

test('the Prometheus --textfile: a planted link or file at its name, or a directory another user owns', ROOT_ONLY, async () => {
  // The file is named by leak-track's PID: a shell plants it as Alice under its own $$, then becomes
  // leak-track (exec keeps the PID).
  const track = (dir: string, plant: string) => collect(spawn('sh', ['-c', `${plant}; exec "${process.execPath}" "${bin('leak-track')}" "$@"`, 'sh',
    String(process.pid), '1s', '0.2', '--db', path.join(dir, '..', `${path.basename(dir)}.db`), '--textfile', dir], { stdio: ['ignore', 'pipe', 'pipe'] }), 60_000);
  const alice = `setpriv --reuid=${ALICE} --regid=${ALICE} --clear-groups sh -c`;
  const l = stickyDir('textfile-link');
  assertRefused(await track(l, `${alice} "ln -s ${victim} ${l}/leak-detective-$$.prom"`), /^leak-track: --textfile: refusing .*leak-detective-\d+\.prom: it is a symbolic link \(never followed\)/);
  const f = stickyDir('textfile-file');
  assertRefused(await track(f, `${alice} "echo alice > ${f}/leak-detective-$$.prom"`), new RegExp(`^leak-track: --textfile: refusing .*leak-detective-\\d+\\.prom: it belongs to uid ${ALICE}`));
  assert.equal(readFileSync(path.join(f, readdirSync(f)[0]!), 'utf8'), 'alice\n');
  assertRefused(await track(bobs, 'true'), new RegExp(`^leak-track: --textfile .*bobs: directory .*bobs belongs to uid ${BOB}, who could swap files there`));
  assert.deepEqual(readdirSync(bobs), []);
});

test('a race: Alice swaps a link in a loop at --html while leak-report writes it again and again; the root file never changes', ROOT_ONLY, async () => {
  const d = stickyDir('race');
  const dest = path.join(d, 'r.html');
  const swapper = await startSwapLoop(ALICE, victim, dest);
  const codes: number[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const r = await runBin('leak-report', ['--trace', trace, '--html', dest, '--quiet']);
      codes.push(r.code!);
      assert.ok(r.code === 0 || r.code === 2, `written (0) or refused (2), got ${r.code}: ${r.stderr}`);
      if (r.code === 2) assertRefused(r, /^leak-report: --html: (refusing .*r\.html: it is a symbolic link|.*r\.html appeared while it was being written)/);
      assert.equal(sha(victim), victimHash, `run ${i + 1}: the root-only file is untouched`);
      if (r.code === 0) {
        assert.equal(lstatSync(dest).uid, 0);
        assert.match(readFileSync(dest, 'utf8'), /^<!doctype html>/i);
        rmSync(dest); // let the race go on (in the sticky directory, Alice cannot remove root's file)
      }
    }
  } finally {
    swapper.kill('SIGKILL');
  }
  assert.ok(codes.includes(2), `the link was met at least once (${codes.join(' ')})`);
});

test('leak-track --html: a link planted during the run (by the tracked command, as Alice) is refused at the end; the root file untouched', ROOT_ONLY, async () => {
  const d = stickyDir('during');
  const dest = path.join(d, 'r.html');
  const r = await runBin('leak-track', ['--db', path.join(base, 'during.db'), '--html', dest, '--quiet', '--',
    'setpriv', `--reuid=${ALICE}`, `--regid=${ALICE}`, '--clear-groups', 'ln', '-s', victim, dest]);
  assertRefused(r, /^leak-track: --html: (refusing .*r\.html: it is a symbolic link \(never followed\)|.*appeared while it was being written).*; session \d+ is saved: leak-report --db .*during\.db --session \d+ --html FILE$/);
  assert.equal(lstatSync(dest).isSymbolicLink(), true);
  assert.deepEqual(readdirSync(d), ['r.html'], 'no temp file left');
});

test('--html on a full disk: exit 4, one line, the previous good report intact, no temp file', ROOT_ONLY, async (t) => {
  const mnt = mkdtempSync(path.join(tmpdir(), 'ld-fs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mnt]);
  t.after(() => execFileSync('umount', ['-l', mnt]));
  const dest = path.join(mnt, 'r.html');
  writeFileSync(dest, 'the good report\n', { mode: 0o644 });
  const r = await runBin('leak-report', ['--trace', trace, '--html', dest, '--quiet']);
  assert.equal(r.code, 4, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^leak-report: --html: cannot write .*r\.html: no space left on the device \(ENOSPC\); nothing was written there \(a file already there is unchanged\)/);
  assert.equal(readFileSync(dest, 'utf8'), 'the good report\n');
  assert.deepEqual(readdirSync(mnt), ['r.html']);
});

test("--junit: root's own symlink at the destination is refused too (whoever owns a link, it is never followed or replaced)", ROOT_ONLY, async () => {
  const d = stickyDir('junit-root-link');
  const dest = path.join(d, 'r.xml');
  symlinkSync(victim, dest);
  assertRefused(await runBin('leak-check', ['--trace', trace, '--max-rate', '50', '--junit', dest]), /^leak-check: --junit: refusing .*r\.xml: it is a symbolic link \(never followed\); remove it or pick another path$/);
  assert.equal(lstatSync(dest).isSymbolicLink(), true);
  const ok = path.join(d, 'ok.xml');
  assert.equal((await runBin('leak-check', ['--trace', trace, '--max-rate', '5000', '--junit', ok])).code, 0);
  assert.equal(statSync(ok).mode & 0o777, 0o644);
});

test('leak-profile --out: SIGTERM in the middle of a snapshot leaves no temp file and no partial snapshot under its name', ROOT_ONLY, async () => {
  const big = spawn(process.execPath, ['--inspect-port=127.0.0.1:0', '-e', "globalThis.keep = Array.from({ length: 400000 }, (_, i) => ({ i })); setInterval(() => {}, 1000); console.log('ready')"], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    let ready = '';
    big.stdout!.setEncoding('utf8').on('data', (c: string) => (ready += c));
    await waitFor(() => ready.includes('ready'), 30_000, 'the target');
    const out = path.join(base, 'sig-out');
    const p = startBin('leak-profile', ['--pid', String(big.pid), '--out', out, '--snapshots', '2', '--interval', '1']);
    let err = '';
    p.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const done = collect(p);
    await waitFor(() => /snapshot 1\/2: taking/.test(err), 60_000, 'the snapshot to start');
    await waitFor(() => readdirSync(out).some((n) => n.endsWith('.tmp')), 30_000, 'the temp file to be written');
    p.kill('SIGTERM');
    const r = await done;
    assert.equal(r.code, 143, err);
    assert.doesNotMatch(err, /snapshot 1\/2: \//, 'the signal landed mid-snapshot');
    assert.deepEqual(readdirSync(out), [], 'no temp file, no partial snapshot');
  } finally {
    big.kill('SIGKILL');
  }
});
