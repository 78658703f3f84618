// leak-profile (as root) on Python targets of other users, with other users planting files: no path a
// less-privileged user controls is followed, no signal name is read from a file, and the census still
// works for a target running as another uid (gdb and the in-process hook).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { collect, runBin, startBin, waitFor, isAlive } from '../helpers/procs.js';
import { follow, waitForOutput } from '../helpers/wait.js';
import { PROGRAMS } from '../helpers/paths.js';
import { closeChannel, openChannel, prepareResult, readResult } from '../../src/profile/python/census-channel.js';
import { requestDir } from '../../src/profile/python/hook-request.js';
import { LeakError } from '../../src/errors.js';
import type { ProfileReport } from '../../src/types.js';

// Two local users with no passwd entry needed: the target's and a hostile neighbour's.
const TARGET_UID = 4242;
const ATTACKER_UID = 4343;
const PY = '/usr/bin/python3'; // reachable by any uid (pyenv's lives under /root)

const work = mkdtempSync(path.join(tmpdir(), 'ld-safety-py-'));
chmodSync(work, 0o755);
const spawned: ChildProcess[] = [];
after(() => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Run `args` as `uid` (setpriv: no groups); returns the child (its PID is the program's: setpriv execs). */
function spawnAs(uid: number, args: string[]): ChildProcess {
  const c = spawn('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(c);
  return c;
}

function asUid(uid: number, code: string): { status: number | null; out: string } {
  const r = spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', PY, '-c', code], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

test('a Python target of another uid is profiled by root through gdb; planted hook markers are ignored: no signal, no write', async () => {
  // A long lifetime, ended by SIGTERM once profiled (the target still checks itself and says "ok N").
  const t = spawnAs(TARGET_UID, [PY, path.join(PROGRAMS, 'py_processor_cache.py'), '--per-s', '20', '--kb', '64', '--lifetime', '600']);
  const out = follow(t.stdout);
  const done = collect(t);
  await waitForOutput(out, /^ready/m); // its processor is built and the loop runs
  assert.equal(lstatSync(`/proc/${t.pid}`).uid, TARGET_UID);
  // The hostile neighbour plants the old, predictable marker: `ready` naming SIGTERM, request.json a
  // link to a root-only file. Before #9, root's leak-profile killed the job and overwrote that file.
  const victim = path.join(work, 'root-only');
  writeFileSync(victim, 'root secret\n', { mode: 0o600 });
  const planted = asUid(ATTACKER_UID, `
import os
d = '/tmp/leak-detective-${TARGET_UID}/${t.pid}'
os.makedirs(d, exist_ok=True)
os.chmod('/tmp/leak-detective-${TARGET_UID}', 0o777); os.chmod(d, 0o777)
open(d + '/ready', 'w').write('SIGTERM')
os.symlink('${victim}', d + '/request.json')
print('planted')`);
  assert.equal(planted.out, 'planted', planted.out);
  try {
    const r = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '3', '--interval', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /leak_detective_hook/, 'the planted marker is not taken for a hook');
    const rep = JSON.parse(r.stdout) as ProfileReport;
    assert.equal(rep.growing[0]?.type, 'ProcessedImage');
    assert.match(rep.growing[0]?.retainer_path ?? '', /^processor\.image_processor\._cache/);
    assert.ok(isAlive(t.pid!), 'the job was not sent the planted SIGTERM');
    assert.equal(readFileSync(victim, 'utf8'), 'root secret\n', 'the root file behind the planted link is untouched');
    assert.equal(readlinkSync(`/tmp/leak-detective-${TARGET_UID}/${t.pid}/request.json`), victim);
    t.kill('SIGTERM');
    const end = await done;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /^ok \d+/m, 'the target kept working correctly');
  } finally {
    rmSync(`/tmp/leak-detective-${TARGET_UID}`, { recursive: true, force: true });
  }
});

test('the hook in a target of another uid: recognised by its open descriptor, asked by SIGUSR2 only, results through the channel', async () => {
  const t = spawnAs(TARGET_UID, [PY, path.join(PROGRAMS, 'py_processor_cache.py'), '--hook', '--per-s', '20', '--kb', '64', '--lifetime', '600']);
  const out = follow(t.stdout);
  const done = collect(t);
  await waitForOutput(out, /^ready/m); // the hook is imported (before the processor is built)
  // No gdb on PATH: only the hook can answer.
  const r = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '3', '--interval', '1', '--json'], { env: { PATH: '/nonexistent' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /imported leak_detective_hook: censuses on SIGUSR2, no gdb needed/);
  assert.equal((JSON.parse(r.stdout) as ProfileReport).growing[0]?.type, 'ProcessedImage');
  assert.ok(!existsSync(`/tmp/leak-detective-${TARGET_UID}/${t.pid}`), 'the hook no longer makes a predictable directory');
  assert.ok(!existsSync(`/tmp/leak-detective-requests-0/${t.pid}.json`), 'the request is withdrawn');
  t.kill('SIGTERM');
  const end = await done;
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stdout, /^ok \d+/m);
});

test('the hook ignores requests from directories another user could write, and its own user cannot redirect root', async () => {
  const t = spawnAs(TARGET_UID, [PY, path.join(PROGRAMS, 'py_processor_cache.py'), '--hook', '--per-s', '5', '--kb', '4', '--lifetime', '600']);
  const out = follow(t.stdout);
  const done = collect(t);
  await waitForOutput(out, /^ready/m); // the hook's SIGUSR2 handler is installed
  // The neighbour writes a request in its own directory, naming a file of the target's user as "out".
  const bait = path.join(work, 'target-file');
  writeFileSync(bait, 'the target user\'s data\n');
  chownSync(bait, TARGET_UID, TARGET_UID);
  const dir = `/tmp/leak-detective-requests-${ATTACKER_UID}`;
  const r = asUid(ATTACKER_UID, `
import os, json
os.makedirs('${dir}', exist_ok=True)
open('${dir}/${t.pid}.json', 'w').write(json.dumps({'out': '${bait}', 'mode': 'cheap'}))
print('ok')`);
  assert.equal(r.out, 'ok');
  try {
    process.kill(t.pid!, 'SIGUSR2');
    // Then SIGTERM: CPython runs pending handlers in signal-number order (SIGUSR2 = 12 before SIGTERM = 15),
    // so once the target has said "ok N" and exited, the hook's handler has run to its end.
    process.kill(t.pid!, 'SIGTERM');
    const end = await done;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /^ok \d+/m, 'the target survived the SIGUSR2 and kept working');
    assert.equal(readFileSync(bait, 'utf8'), 'the target user\'s data\n', 'a request from another user\'s directory is never acted on');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the census channel: the target can write its pre-created result and nothing else; root reads no link, no foreign file, no giant', () => {
  const ch = openChannel(TARGET_UID);
  try {
    const st = lstatSync(ch.dir);
    assert.equal(st.uid, 0);
    assert.equal(st.mode & 0o7777, 0o711);
    const out = prepareResult(ch, 0);
    assert.equal(lstatSync(out).uid, TARGET_UID);
    assert.equal(lstatSync(out).mode & 0o7777, 0o600);
    // As the target's user: writing the result works; creating, linking or renaming in the directory does not.
    const r = asUid(TARGET_UID, `
import os
fd = os.open('${out}', os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW)
os.write(fd, b'{"time": 1, "pause_s": 0, "objects": 1, "bytes": 8, "types": {"int": [1, 8]}}\\n'); os.close(fd)
res = []
for what, f in [('create', lambda: open('${ch.dir}/census-1.json', 'w')), ('symlink', lambda: os.symlink('/etc/shadow', '${ch.dir}/census-1.json')),
                ('replace', lambda: os.rename('${out}', '${ch.dir}/x')), ('unlink', lambda: os.unlink('${out}'))]:
    try:
        f(); res.append(what + ' ALLOWED')
    except PermissionError:
        res.append(what + ' denied')
print(' '.join(res))`);
    assert.equal(r.out, 'create denied symlink denied replace denied unlink denied');
    const raw = readResult<{ objects: number }>(out, ch, 1);
    assert.equal(raw?.objects, 1);
    // What root refuses even in its own channel: a link, a file of another owner, a hard-linked one, a giant.
    const refuses = (file: string, re: RegExp) => assert.throws(() => readResult(file, ch, 1), (e: unknown) => e instanceof LeakError && re.test(e.message));
    symlinkSync('/etc/shadow', path.join(ch.dir, 'census-9.json'));
    refuses(path.join(ch.dir, 'census-9.json'), /cannot open the result .*ELOOP/);
    const foreign = prepareResult(ch, 2);
    chownSync(foreign, ATTACKER_UID, -1);
    refuses(foreign, /no longer the result file/);
    const linked = prepareResult(ch, 3);
    linkSync(linked, path.join(ch.dir, 'census-3-link.json'));
    refuses(linked, /no longer the result file/);
    const big = prepareResult(ch, 4);
    writeFileSync(big, Buffer.alloc(64 * 1024 * 1024 + 1, 0x20));
    refuses(big, /more than the 67108864 a result may/);
    // An error from inside the target: shown as one printable line, never terminal escapes.
    const err = prepareResult(ch, 5);
    writeFileSync(err, `${JSON.stringify({ error: 'Boom\u001b[31m\nred' })}\n`);
    assert.throws(() => readResult(err, ch, 1), (e: unknown) => e instanceof LeakError && e.message === 'the census failed inside PID 1: Boom?[31m?red; the target was left running');
  } finally {
    closeChannel(ch);
  }
  assert.ok(!existsSync(ch.dir));
});

test('the request directory is refused when another user made it, it is a link, or it is writable by others', () => {
  const base = mkdtempSync(path.join(work, 'base-'));
  const dir = path.join(base, 'leak-detective-requests-0');
  assert.equal(requestDir(base), dir);
  assert.equal(lstatSync(dir).mode & 0o7777, 0o711);
  chownSync(dir, ATTACKER_UID, ATTACKER_UID);
  assert.throws(() => requestDir(base), /leak-detective-requests-0 is owned by uid 4343, so another user may have planted it; .*rm -r/);
  rmSync(dir, { recursive: true });
  mkdirSync(dir, { mode: 0o777 });
  chmodSync(dir, 0o777);
  assert.throws(() => requestDir(base), /is writable by others \(mode 777\)/);
  rmSync(dir, { recursive: true });
  symlinkSync(work, dir);
  assert.throws(() => requestDir(base), /is a symbolic link/);
});

test('a stopped Python target is refused before gdb or any signal touches it', async () => {
  const t = spawn(PY, [path.join(PROGRAMS, 'py_processor_cache.py'), '--per-s', '5', '--kb', '4', '--lifetime', '600'], { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(t);
  const out = follow(t.stdout);
  const done = collect(t);
  await waitForOutput(out, /^ready/m);
  process.kill(t.pid!, 'SIGSTOP');
  try {
    await waitFor(() => /\) T /.test(readFileSync(`/proc/${t.pid}/stat`, 'utf8')), 5000, 'state T');
    const r = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '2', '--interval', '1']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`^leak-profile: PID ${t.pid} is stopped \\(state T: SIGSTOP or Ctrl-Z\\); leak-profile will not attach gdb to it, .*kill -CONT ${t.pid}`));
  } finally {
    process.kill(t.pid!, 'SIGCONT');
  }
  process.kill(t.pid!, 'SIGTERM');
  const end = await done;
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stdout, /^ok \d+/m);
});

test('SIGTERM between censuses: exit 143 after one line, the channel removed', async () => {
  const t = spawn(PY, [path.join(PROGRAMS, 'py_processor_cache.py'), '--per-s', '5', '--kb', '4', '--lifetime', '600'], { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(t);
  await waitForOutput(follow(t.stdout), /^ready/m);
  const tmp = mkdtempSync(path.join(work, 'tmp-'));
  const p = startBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '3', '--interval', '20'], { env: { TMPDIR: tmp } });
  const err = follow(p.stderr);
  const res = collect(p);
  await waitFor(() => readdirSync(tmp).length > 0 && existsSync(`/proc/${p.pid}`), 10_000, 'the channel');
  await waitForOutput(err, /^leak-profile: census 2\/3 in 20 s$/m, { timeoutMs: 60_000 }); // the first census is done; leak-profile waits out the 20 s interval
  p.kill('SIGTERM');
  const r = await res;
  assert.equal(r.code, 143, r.stderr);
  assert.equal(r.stderr.trim().split('\n').at(-1), `leak-profile: interrupted by SIGTERM; nothing of leak-profile's is left behind (a census already queued in PID ${t.pid} finds its result file gone and writes nothing)`);
  assert.deepEqual(readdirSync(tmp), []);
  assert.ok(isAlive(t.pid!));
});
