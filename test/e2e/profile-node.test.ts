// leak-profile on live Node processes, through the built bin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, startFixture, isAlive } from '../helpers/procs.js';
import { PROGRAMS } from '../helpers/paths.js';
import { follow, waitForOutput, waitForSignalHandler, waitUntil } from '../helpers/wait.js';
import { listeningPorts } from '../../src/profile/node/inspector-port.js';
import type { ProfileReport } from '../../src/types.js';

test('a growing Map cache: the class ranks first, held by processor.tokenizer._cache (Map); inspector closed; target alive', async () => {
  const svc = startFixture('node-cache-service.js', ['--rate', '2000', '--lifetime', '600']);
  try {
    await waitForSignalHandler(svc.pid!, 'SIGUSR1'); // Node is up: its inspector's SIGUSR1 handler is set
    const out = mkdtempSync(path.join(tmpdir(), 'ld-prof-'));
    const r = await runBin('leak-profile', ['--pid', String(svc.pid), '--snapshots', '3', '--interval', '2', '--json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as ProfileReport;
    assert.deepEqual(rep.target, { pid: svc.pid, runtime: 'node' });
    assert.equal(rep.snapshots.length, 3);
    assert.ok(rep.snapshots.every((s) => typeof s.pause_s === 'number' && s.pause_s > 0));
    const top = rep.growing[0]!;
    assert.equal(top.type, 'TokenizedSample');
    assert.equal(top.retainer_path, 'processor.tokenizer._cache (Map)');
    assert.ok(top.counts[2]! > top.counts[1]! && top.counts[1]! > top.counts[0]!);
    assert.match(r.stderr, /inspector closed; port \d+ verified closed/);
    assert.deepEqual(listeningPorts(svc.pid!), [], 'no port left open');
    assert.ok(isAlive(svc.pid!), 'the target is alive');
    const files = readdirSync(out).filter((f) => f.endsWith('.heapsnapshot'));
    assert.equal(files.length, 3);
    for (const f of files) assert.equal(statSync(path.join(out, f)).mode & 0o777, 0o600);
    // offline mode on the same files
    const off = await runBin('leak-profile', ['--snapshot', ...files.sort().map((f) => path.join(out, f))]);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /^\s+TokenizedSample\s+\+[\d,]+ .* processor\.tokenizer\._cache \(Map\)$/m);
  } finally {
    svc.kill();
  }
});

test('a target started with --inspect is used and left as it was', async () => {
  const svc = spawn(process.execPath, ['--inspect=127.0.0.1:0', path.join(PROGRAMS, 'node-cache-service.js'), '--rate', '500', '--lifetime', '600'], { stdio: 'ignore' });
  try {
    await waitUntil('its inspector to listen', () => listeningPorts(svc.pid!).length > 0);
    const before = listeningPorts(svc.pid!);
    assert.equal(before.length, 1);
    const r = await runBin('leak-profile', ['--pid', String(svc.pid), '--snapshots', '2', '--interval', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /using the inspector already open on 127\.0\.0\.1:\d+/);
    assert.equal((JSON.parse(r.stdout) as ProfileReport).growing[0]?.type, 'TokenizedSample');
    assert.deepEqual(listeningPorts(svc.pid!), before, 'still open, as the user had it');
  } finally {
    svc.kill();
  }
});

test('a stable service reports no grower', async () => {
  const svc = startFixture('node-cache-service.js', ['--rate', '2000', '--lifetime', '600', '--stable']);
  const out = follow(svc.stdout);
  try {
    await waitForOutput(out, /^steady/m); // the LRU has held its 500 for 20 ticks: nothing accumulates, its code is compiled
    const r = await runBin('leak-profile', ['--pid', String(svc.pid), '--snapshots', '3', '--interval', '1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as ProfileReport;
    assert.deepEqual(rep.growing.map((g) => g.type), [], JSON.stringify(rep.growing.map((g) => [g.type, g.count_delta, g.bytes_delta])));
    assert.ok(isAlive(svc.pid!));
  } finally {
    svc.kill();
  }
});

test('errors: no such PID, not a Node/Python process, SIGUSR1 swallowed — exit 3 with what to do', async () => {
  const none = await runBin('leak-profile', ['--pid', '999999']);
  assert.equal(none.code, 3);
  assert.equal(none.stderr.trim(), 'leak-profile: no process with PID 999999');
  const sleeper = spawn('sleep', ['30']);
  const other = await runBin('leak-profile', ['--pid', String(sleeper.pid)]);
  sleeper.kill();
  assert.equal(other.code, 3);
  assert.match(other.stderr, /^leak-profile: PID \d+ runs sleep, not Node or CPython/);
  const swallow = startFixture('node-sigusr1-swallower.js', ['600']);
  await waitForOutput(follow(swallow.stdout), /^ready/m);
  const sw = await runBin('leak-profile', ['--pid', String(swallow.pid), '--snapshots', '2', '--interval', '1']);
  swallow.kill();
  assert.equal(sw.code, 3, sw.stderr);
  assert.match(sw.stderr, /did not open its inspector on SIGUSR1 .*--heapsnapshot-signal=SIGUSR2.*--snapshot/);
  // --disable-sigusr1 exists from Node 22.14; where it does, the target must not be signalled at all.
  if (spawnSync(process.execPath, ['--disable-sigusr1', '-e', '0']).status === 0) {
    const disabled = spawn(process.execPath, ['--disable-sigusr1', path.join(PROGRAMS, 'node-sigusr1-swallower.js'), '600']);
    await waitForOutput(follow(disabled.stdout), /^ready/m);
    const dis = await runBin('leak-profile', ['--pid', String(disabled.pid), '--snapshots', '2', '--interval', '1']);
    assert.ok(isAlive(disabled.pid!), '--disable-sigusr1 target survives');
    disabled.kill();
    assert.equal(dis.code, 3, dis.stderr);
  }
  const bad = await runBin('leak-profile', ['--snapshot', '/etc/hostname', '/etc/hostname']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /is not a complete V8 heap snapshot/);
});
