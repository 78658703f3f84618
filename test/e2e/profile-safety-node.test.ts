// leak-profile on Node targets under faults: whatever ends the run (a signal at any moment, kill -9,
// the target exiting, a full disk), the target's inspector ends closed, and an unprivileged local
// user cannot attach afterwards. Loopback only; stopped targets and held ports are refused, unsignalled.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, waitFor, isAlive, HANG_GUARD_MS } from '../helpers/procs.js';
import { eventLoopTurned, nodeTargetKit } from '../helpers/node-target.js';
import { openFileBytes, signalPending } from '../helpers/wait.js';
import { attachAsNobody } from '../helpers/inspector-probe.js';
import { listeningPorts, listeningSockets } from '../../src/profile/node/inspector-port.js';
import { CdpSession, debuggerUrl } from '../../src/profile/node/cdp-session.js';

const work = mkdtempSync(path.join(tmpdir(), 'ld-safety-node-'));
const spawned: ChildProcess[] = [];
after(() => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const { startTarget, startProfile } = nodeTargetKit(work, spawned);

const openedPort = (stderr: string): number | null => {
  const m = /opened the inspector .* on 127\.0\.0\.1:(\d+)/.exec(stderr);
  return m ? Number(m[1]) : null;
};

/** The inspector on `port` is gone from the target and an unprivileged user cannot attach. */
function assertClosed(pid: number, port: number): void {
  assert.ok(!listeningPorts(pid).includes(port), `PID ${pid} still listens on ${port}`);
  assert.match(attachAsNobody(port), /^REFUSED /);
}

const CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

test('kill -9 of leak-profile: an unprivileged user can attach while it runs, and the dead-man\'s switch closes the inspector within seconds', async () => {
  const t = await startTarget();
  const p = startProfile(['--pid', String(t.pid), '--snapshots', '3', '--interval', '60']);
  const port = await waitFor(() => openedPort(p.stderr()), 30_000, 'the inspector to open');
  // Positive control: the probe really can run code in an open inspector (so REFUSED below means something).
  assert.equal(attachAsNobody(port), `ATTACHED ${t.pid}`);
  await waitFor(() => /snapshot 1\/3: done/.test(p.stderr()), 30_000, 'the first snapshot');
  p.child.kill('SIGKILL');
  await p.done;
  const killedAt = Date.now();
  await waitFor(() => !listeningPorts(t.pid).includes(port), 30_000, 'the dead-man\'s switch to close the port');
  const window_s = (Date.now() - killedAt) / 1000;
  assertClosed(t.pid, port);
  assert.ok(isAlive(t.pid), 'the target lives on');
  assert.match(t.stderr(), /Debugger ending on ws:\/\/127\.0\.0\.1/);
  // The first snapshot was written to a file unlinked at once: nothing is left even after kill -9.
  assert.deepEqual(readdirSync(p.tmp), []);
  // The switch is armed for 6 s; this only rules out "never" (it was measured at ~6 s).
  assert.ok(window_s < 30, `closed ${window_s.toFixed(1)} s after kill -9`);
});

/** Whether leak-profile's dead-man's switch is armed in the target whose inspector listens on `port`. */
async function switchArmed(port: number): Promise<boolean> {
  const url = await debuggerUrl({ port, address: '127.0.0.1', loopback: true });
  assert.ok(url, `no inspector answers on ${port}`);
  const s = await CdpSession.connect(url);
  try {
    const r = await s.send<{ result: { value: string } }>('Runtime.evaluate', { expression: "typeof globalThis[Symbol.for('leak-detective.deadman')]", returnByValue: true }, 10_000);
    return r.result.value !== 'undefined';
  } finally {
    s.close();
    await s.closed;
  }
}

/** The sentinel leak-profile started (inspector-sentinel.ts), if it still runs: its PID. */
function sentinelOf(parent: number): number | null {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('inspector-sentinel-main')) return Number(d);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

test("kill -9 of leak-profile between SIGUSR1 and the dead-man's switch: its sentinel closes the inspector at once; a normal run leaves no sentinel", async () => {
  // leak-profile is stopped the moment the target's port appears (it looks for it every 100 ms, then
  // needs /json/list, a WebSocket and an evaluate to arm the switch), then killed. Whether it was caught
  // in the window is asked of the target: no switch armed means leak-profile cannot have released its
  // sentinel (it does so only after the arm's reply). Caught after the arm: try again. The switch
  // alone would take 6 s.
  let caught = false;
  for (let attempt = 0; attempt < 5 && !caught; attempt++) {
    const t = await startTarget();
    const p = startProfile(['--pid', String(t.pid), '--snapshots', '2', '--interval', '1']);
    const deadline = Date.now() + 30_000;
    let port: number | undefined;
    while (port === undefined && Date.now() < deadline) {
      port = listeningPorts(t.pid)[0];
      if (port === undefined) await new Promise((r) => setImmediate(r));
    }
    assert.ok(port !== undefined, `no inspector port: ${p.stderr()}`);
    p.child.kill('SIGSTOP');
    if (await switchArmed(port)) {
      p.child.kill('SIGKILL');
      await p.done;
      t.child.kill('SIGKILL');
      continue;
    }
    const sentinel = sentinelOf(p.child.pid!);
    assert.ok(sentinel !== null, 'the switch is not armed, so the sentinel must still be watching');
    p.child.kill('SIGKILL');
    await p.done;
    const killedAt = Date.now();
    caught = true;
    await waitFor(() => !listeningPorts(t.pid).includes(port!), 10_000, 'the sentinel to close the port');
    const window_s = (Date.now() - killedAt) / 1000;
    assert.ok(window_s < 3, `closed ${window_s.toFixed(1)} s after kill -9: the dead-man's switch (6 s), not the sentinel`);
    assertClosed(t.pid, port);
    assert.ok(isAlive(t.pid), 'the target lives on');
    await waitFor(() => !isAlive(sentinel), 10_000, 'the sentinel to exit');
    t.child.kill('SIGKILL');
  }
  assert.ok(caught, 'five runs never stopped leak-profile inside the window');
  // A whole run: the sentinel was released and is gone; nothing of it outlives leak-profile.
  const t = await startTarget();
  const r = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '2', '--interval', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  // released, it exits as soon as it reads the word; one still there after 10 s outlived its run
  await waitFor(() => !execFileSync('ps', ['-eo', 'args']).toString().includes('inspector-sentinel-main'), 10_000, 'the released sentinel to exit');
  t.child.kill('SIGKILL');
});

test('SIGINT, SIGTERM and SIGHUP between snapshots and mid-snapshot: exit 128+N after one line, inspector closed, no temp file left', async () => {
  const cases: [NodeJS.Signals, 'between' | 'mid'][] = [['SIGINT', 'mid'], ['SIGTERM', 'between'], ['SIGHUP', 'mid'], ['SIGINT', 'between'], ['SIGTERM', 'mid'], ['SIGHUP', 'between']];
  for (const batch of [cases.slice(0, 3), cases.slice(3)]) {
    await Promise.all(batch.map(async ([sig, when]) => {
      const t = await startTarget(when === 'mid' ? 200_000 : 0); // mid: a heap whose snapshot streams for a while
      const p = startProfile(['--pid', String(t.pid), '--snapshots', '3', '--interval', '20']);
      const port = await waitFor(() => openedPort(p.stderr()), 60_000, 'the inspector to open');
      // mid: the snapshot is streaming into its temp file; between: done, and the 20 s interval follows at once
      if (when === 'mid') await waitFor(() => openFileBytes(p.child.pid!, /leak-profile-.*\.heapsnapshot/) > 0, 60_000, 'the snapshot to stream in');
      else await waitFor(() => /snapshot 1\/3: done/.test(p.stderr()), 60_000, 'the first snapshot');
      p.child.kill(sig);
      const r = await p.done;
      const lines = p.stderr().trim().split('\n');
      assert.equal(r.code, CODES[sig as keyof typeof CODES], `${sig} ${when}: ${p.stderr()}`);
      assert.equal(lines.at(-1), `leak-profile: interrupted by ${sig}; the inspector of PID ${t.pid} is closed (port ${port} verified closed)`, `${sig} ${when}`);
      assert.doesNotMatch(p.stderr(), /internal error|\n\s+at /);
      // The signal really landed where the case says (a snapshot of 400k objects takes a while).
      if (when === 'mid') assert.doesNotMatch(p.stderr(), /snapshot 1\/3: done/, `${sig} landed after the snapshot`);
      else assert.doesNotMatch(p.stderr(), /snapshot 2\/3/, `${sig} landed after the interval`);
      assert.equal(p.stdout(), '');
      assertClosed(t.pid, port);
      assert.ok(isAlive(t.pid), `${sig} ${when}: the target lives on`);
      assert.deepEqual(readdirSync(p.tmp), [], `${sig} ${when}: temp files removed`);
      t.child.kill();
    }));
  }
});

test('a signal while leak-profile waits for the port: it still waits out what SIGUSR1 may open, then exits 128+N', async () => {
  // The swallower catches SIGUSR1 and never opens an inspector: leak-profile sits in its port wait.
  const swallower = spawn(process.execPath, ['--inspect-port=127.0.0.1:0', '-e', "process.on('SIGUSR1', () => console.log('got SIGUSR1')); setInterval(() => {}, 1000); console.log('ready')"], { stdio: ['ignore', 'pipe', 'ignore'] });
  spawned.push(swallower);
  let said = '';
  swallower.stdout!.setEncoding('utf8').on('data', (c: string) => (said += c));
  await waitFor(() => said.includes('ready'), 30_000, 'the swallower to start');
  for (const [i, sig] of (['SIGTERM', 'SIGHUP'] as const).entries()) {
    const p = startProfile(['--pid', String(swallower.pid), '--snapshots', '2', '--interval', '1']);
    // SIGUSR1 has come: leak-profile is inside its 5 s wait for a port
    await waitFor(() => said.split('got SIGUSR1').length - 1 > i, 30_000, 'leak-profile to send SIGUSR1');
    p.child.kill(sig);
    const r = await p.done;
    assert.equal(r.code, CODES[sig], p.stderr());
    assert.equal(p.stderr().trim(), `leak-profile: interrupted by ${sig}; PID ${swallower.pid} opened no inspector within 5 s of SIGUSR1, so none is left open`);
    assert.deepEqual(listeningPorts(swallower.pid!), []);
  }
});

test('the target exiting mid-profile is let go at once (not held "Waiting for the debugger to disconnect"): exit 3', { timeout: HANG_GUARD_MS }, async () => {
  // The target ends its own way when the test says (a file appears), once the inspector is open: a fixed
  // 4 s lifetime ran out before leak-profile had opened it on a loaded box. leak-profile then waits out a
  // 1-hour interval that no run of this test sees end: held by the debugger, the target would live that
  // long and leak-profile would wait it out; let go, both end at once (a hang here is the failure).
  const exitFile = path.join(work, `exit-${process.pid}-${Date.now()}`);
  const t = await startTarget(0, 600, undefined, {}, exitFile);
  const p = startProfile(['--pid', String(t.pid), '--snapshots', '3', '--interval', '3600']);
  const port = await waitFor(() => openedPort(p.stderr()), HANG_GUARD_MS, 'the inspector to open');
  const exited = new Promise<void>((r) => t.child.once('exit', () => r()));
  writeFileSync(exitFile, '');
  await exited;
  const r = await p.done;
  assert.equal(r.code, 3, p.stderr());
  assert.match(p.stderr(), new RegExp(`leak-profile: PID ${t.pid} exited during the profile \\(leak-profile let go of it at once, so it was not held alive\\); no report\\n$`));
  assert.ok(!isAlive(t.pid));
  assert.equal(t.child.exitCode, 0, 'it ended its own way');
  assert.match(attachAsNobody(port), /^REFUSED /);
  assert.deepEqual(readdirSync(p.tmp), []);
});

test('disk full while writing a snapshot (a 1 MB tmpfs as --out): exit 4, one line, partial file removed, inspector closed', async () => {
  const mnt = mkdtempSync(path.join(work, 'tiny-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mnt], { encoding: 'utf8' });
  assert.equal(m.status, 0, `mount a tmpfs (this test runs as root, as leak-profile does in production): ${m.stderr}`);
  try {
    const t = await startTarget();
    const p = startProfile(['--pid', String(t.pid), '--snapshots', '2', '--interval', '1', '--out', mnt]);
    const r = await p.done;
    const port = openedPort(p.stderr())!;
    assert.equal(r.code, 4, p.stderr());
    assert.equal(p.stderr().trim().split('\n').at(-1), `leak-profile: cannot write the heap snapshot to ${mnt}/${t.pid}-1.heapsnapshot: no space left on the device (ENOSPC); free some space or give --out a directory on a bigger filesystem`);
    assert.match(p.stderr(), new RegExp(`inspector closed; port ${port} verified closed`));
    assert.deepEqual(readdirSync(mnt), [], 'the partial snapshot is removed');
    assertClosed(t.pid, port);
    assert.ok(isAlive(t.pid));
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('loopback only: a target whose inspector would open (or is open) beyond loopback is refused and never signalled', async () => {
  const viaArgs = await startTarget(0, 600, ['--inspect-port=0.0.0.0:0']);
  const viaEnv = await startTarget(0, 600, [], { NODE_OPTIONS: '--inspect-port=[::]:0' });
  const bareHost = await startTarget(0, 600, ['--inspect-port', '10.1.2.3']);
  for (const [t, text] of [[viaArgs, '0.0.0.0:0 (--inspect-port=0.0.0.0:0 in its command line)'], [viaEnv, '[::]:0 (--inspect-port=[::]:0 in NODE_OPTIONS)'], [bareHost, '10.1.2.3:9229 (--inspect-port 10.1.2.3 in its command line)']] as const) {
    const r = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '2', '--interval', '1']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.ok(r.stderr.startsWith(`leak-profile: PID ${t.pid}'s inspector would open on ${text}, beyond loopback, so leak-profile will not send it SIGUSR1: `), r.stderr);
    await eventLoopTurned(t);
    assert.deepEqual(listeningSockets(t.pid), [], 'not signalled: nothing opened');
    assert.doesNotMatch(t.stderr(), /Debugger listening/);
  }
  // Already open on every interface: refused as it is, not reported as 127.0.0.1, left as the user had it.
  const open = await startTarget(0, 120, ['--inspect=0.0.0.0:0']);
  const [sock] = listeningSockets(open.pid);
  assert.equal(sock?.address, '0.0.0.0');
  const r = await runBin('leak-profile', ['--pid', String(open.pid), '--snapshots', '2', '--interval', '1']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`^leak-profile: PID ${open.pid}'s inspector already listens on 0\\.0\\.0\\.0:${sock!.port}, beyond loopback; leak-profile will not use it: .*--inspect=127\\.0\\.0\\.1:0`));
  assert.doesNotMatch(r.stderr, new RegExp(`127\\.0\\.0\\.1:${sock!.port}`));
  assert.deepEqual(listeningSockets(open.pid), [sock]);
});

test('a stopped target is refused and never signalled: resumed, it opens no inspector', async () => {
  const t = await startTarget();
  process.kill(t.pid, 'SIGSTOP');
  try {
    await waitFor(() => /\) T /.test(spawnSync('cat', [`/proc/${t.pid}/stat`], { encoding: 'utf8' }).stdout), 5000, 'state T');
    const r = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '2', '--interval', '1']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`^leak-profile: PID ${t.pid} is stopped \\(state T: SIGSTOP or Ctrl-Z\\); leak-profile will not send it SIGUSR1, .*kill -CONT ${t.pid}`));
    assert.ok(!signalPending(t.pid, 'SIGUSR1'), 'no SIGUSR1 was queued (a stopped process keeps it pending)');
  } finally {
    process.kill(t.pid, 'SIGCONT');
  }
  await eventLoopTurned(t);
  assert.deepEqual(listeningPorts(t.pid), [], 'no SIGUSR1 was queued');
  assert.doesNotMatch(t.stderr(), /Debugger listening/);
});

test('the inspector port held by another process is diagnosed as such, not blamed on the target', async () => {
  const holder = spawn(process.execPath, ['-e', "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'ignore'] });
  spawned.push(holder);
  const port = Number(await new Promise<string>((r) => holder.stdout!.once('data', (d) => r(String(d)))));
  const t = await startTarget(0, 120, [`--inspect-port=127.0.0.1:${port}`]);
  const r = await runBin('leak-profile', ['--pid', String(t.pid), '--snapshots', '2', '--interval', '1']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stderr, `leak-profile: PID ${t.pid} did not open its inspector on SIGUSR1: port ${port}, where it opens, is held by PID ${holder.pid} (node); stop that process or free the port, or start the target with --inspect-port=127.0.0.1:0, and run leak-profile again\n`);
  assert.doesNotMatch(r.stderr, /disable-sigusr1/);
  assert.ok(isAlive(t.pid));
});
