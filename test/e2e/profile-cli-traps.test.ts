// leak-profile's small traps from a newcomer's first hour (#23.2), on the built bin against a real Node
// process: a Ctrl-C while the bin still loads its modules, and no internal path in what it prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bin } from '../helpers/paths.js';
import { collect, runBin, startBin, startFixture } from '../helpers/procs.js';
import { waitForFile, waitForSignalHandler } from '../helpers/wait.js';
import { listeningPorts } from '../../src/profile/node/inspector-port.js';

const PAUSE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'pause-load.js');

test('a Ctrl-C while leak-profile still loads its modules prints one line and exits 130 (positional PID)', async () => {
  const svc = startFixture('node-cache-service.js', ['--rate', '500', '--lifetime', '600']);
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-early-'));
  try {
    await waitForSignalHandler(svc.pid!, 'SIGUSR1');
    // The bin's loading is held at run.js (module-loading hooks), so the signal lands exactly there.
    const child = spawn(process.execPath, ['--import', PAUSE, bin('leak-profile'), String(svc.pid)], {
      env: { ...process.env, PAUSE_DIR: dir, PAUSE_MATCH: '/dist/src/cli/run.js' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const done = collect(child);
    await waitForFile(path.join(dir, 'loading'));
    child.kill('SIGINT');
    writeFileSync(path.join(dir, 'go'), '');
    const r = await done;
    assert.deepEqual([r.code, r.signal], [130, null], `exit 130, not death by SIGINT: ${r.stderr}`);
    assert.equal(r.stderr, `leak-profile: interrupted by SIGINT; nothing was done to PID ${svc.pid}\n`);
    assert.deepEqual(listeningPorts(svc.pid!), [], 'no inspector opened');
  } finally {
    svc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a live profile without --out names its snapshots, never the /proc/self/fd path they are read from', async () => {
  const svc = startFixture('node-cache-service.js', ['--rate', '500', '--lifetime', '600']);
  try {
    await waitForSignalHandler(svc.pid!, 'SIGUSR1');
    // Each stderr line with when it came, to bound when the inspector is closed after the last snapshot.
    const child = startBin('leak-profile', [String(svc.pid), '--snapshots', '2', '--interval', '1']);
    const seen: [number, string][] = [];
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { for (const l of c.split('\n')) if (l) seen.push([Date.now(), l]); });
    const r = await collect(child);
    assert.equal(r.code, 0, r.stderr);
    // Closed by leak-profile itself (process._debugEnd()) at once, not left to the dead-man's switch,
    // which closes it 6 s after the last renewal: "verified closed" within 4 s of the last snapshot.
    const at = (re: RegExp) => seen.find(([, l]) => re.test(l))?.[0];
    const lastSnap = at(/snapshot 2\/2: done/), closed = at(/inspector closed; port \d+ verified closed/);
    assert.ok(lastSnap && closed, r.stderr);
    assert.ok(closed - lastSnap < 4000, `the inspector closed ${closed - lastSnap} ms after the last snapshot`);
    assert.deepEqual(listeningPorts(svc.pid!), []);
    assert.doesNotMatch(r.stderr, /\/proc\/self/);
    assert.match(r.stderr, /^leak-profile: parsed snapshot 1\/2: [\d,]+ objects in [\d.]+ s$/m);
    assert.match(r.stderr, /^leak-profile: parsed snapshot 2\/2: [\d,]+ objects in [\d.]+ s$/m);
  } finally {
    svc.kill();
  }
});

// Where root itself is denied /proc/PID/exe (this box's PID 1 belongs to the sandbox outside the
// container), "run as that user or as root" was no advice to someone who is root: say what denies it.
const rootDenied = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    readlinkSync('/proc/1/exe');
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EACCES' || (e as NodeJS.ErrnoException).code === 'EPERM';
  }
})();
test('leak-profile on a process root may not inspect says a boundary denies it, not "run as root"', { skip: !rootDenied && 'needs root denied /proc/1/exe' }, async () => {
  const r = await runBin('leak-profile', ['--pid', '1']);
  assert.equal(r.code, 3, r.stderr);
  assert.doesNotMatch(r.stderr, /or as root/);
  assert.match(r.stderr, /^leak-profile: no permission to inspect PID 1 \(owned by uid \d+\) even as root: a security boundary denies it .*; run leak-profile inside the target's container\n$/);
});
