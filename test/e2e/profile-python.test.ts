// leak-profile on live CPython processes (gdb injection through a pending call), through the built bin.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { runBin, startFixture, isAlive, collect } from '../helpers/procs.js';
import { follow, waitForGrowth, waitForOutput, waitUntil } from '../helpers/wait.js';
import type { ProfileReport } from '../../src/types.js';
import { keptMbPerMin } from '../helpers/profile-run.js';

const hasGdb = spawnSync('gdb', ['--version']).status === 0;
const skipNoGdb = hasGdb ? false : 'gdb is not installed (scripts/install-test-deps.sh installs it)';

// The 30-census stress runs beside the other cases (its own target; it pins survival, no rate or timing),
// which run one after another: the file takes the time of the longest, not of the sum.
describe('leak-profile on live CPython', { concurrency: true }, () => {
  test('30 censuses in a row into a busy allocating loop crash nothing', { skip: skipNoGdb }, async () => {
    // a long lifetime, ended by SIGTERM once profiled: 30 gdb stops take 40 s and more on a loaded box
    const p = startFixture('py_processor_cache.py', ['--per-s', '200', '--kb', '4', '--lifetime', '600']);
    const done = collect(p);
    try {
      await waitForGrowth(p.pid!, 1); // allocating
      const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '30', '--interval', '0.05', '--mode', 'cheap', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as ProfileReport).snapshots.length, 30);
      assert.ok(isAlive(p.pid!));
    } finally {
      p.kill('SIGTERM');
    }
    const end = await done;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /^ok \d+/m);
  });

  describe('one case at a time', { concurrency: 1 }, () => {
    test('the processor cache: ProcessedImage first, held by processor.image_processor._cache, rate within 25 %, target still correct', { skip: skipNoGdb }, async () => {
      // A long lifetime, ended by SIGTERM once profiled (the target still checks itself and says "ok N").
      const p = startFixture('py_processor_cache.py', ['--per-s', '20', '--kb', '64', '--lifetime', '600']);
      const done = collect(p);
      try {
        await waitForGrowth(p.pid!, 2); // the cache is filling (1.25 MB/s)
        const started = Date.now();
        const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '3', '--interval', '2', '--json']);
        const wall_s = (Date.now() - started) / 1000;
        assert.equal(r.code, 0, r.stderr);
        const rep = JSON.parse(r.stdout) as ProfileReport;
        assert.deepEqual(rep.target, { pid: p.pid, runtime: 'python' });
        const top = rep.growing[0]!;
        assert.equal(top.type, 'ProcessedImage');
        assert.match(top.retainer_path ?? '', /^processor\.image_processor\._cache \(dict, \d+ items, [\d.]+ MB\)$/);
        // one ProcessedImage of 64 KB a step, as many as it really made between the censuses (75 MB/min at
        // its nominal pace of 20 a second; a starved target falls behind)
        const expected = keptMbPerMin(rep, top, 64 * 1024);
        const got = top.bytes_per_min! / 1048576;
        assert.ok(Math.abs(got - expected) / expected < 0.25, `${got.toFixed(1)} MB/min vs ${expected.toFixed(1)}`);
        // every census paused it, and the pauses fit in the run that made them (not under 5 s each: a
        // loaded box stretches them past that; a pause in ms, or one counted twice, would not fit)
        const pauses = rep.snapshots.map((s) => s.pause_s ?? 0);
        assert.ok(pauses.every((x) => x > 0) && pauses.reduce((a, b) => a + b, 0) < wall_s, `pauses ${pauses.join(', ')} s in a ${wall_s.toFixed(1)} s run`);
        assert.ok(isAlive(p.pid!));
      } finally {
        p.kill('SIGTERM');
      }
      const end = await done;
      assert.equal(end.code, 0);
      assert.match(end.stdout, /^ok \d+/m, 'the target verified its own state afterwards');
    });

    // torch tensors: profile-python-tensors.test.ts and profile-python-autograd.test.ts (interpreters chosen explicitly)
    test('a growing list of numpy arrays: numpy.ndarray first with its data bytes', { skip: skipNoGdb }, async () => {
      const p = startFixture('py_array_list.py', ['--per-s', '10', '--kb', '128', '--lifetime', '600']);
      const out = follow(p.stdout);
      try {
        await waitForOutput(out, /^ready/m);
        const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '3', '--interval', '2', '--json']);
        assert.equal(r.code, 0, r.stderr);
        const rep = JSON.parse(r.stdout) as ProfileReport;
        const top = rep.growing[0]!;
        assert.equal(top.type, 'numpy.ndarray');
        const got = top.bytes_per_min! / 1048576;
        const expected = keptMbPerMin(rep, top, 128 * 1024); // one array of 128 KB a step, as many as it made (75 MB/min at its pace)
        assert.ok(Math.abs(got - expected) / expected < 0.25, `${got.toFixed(1)} MB/min vs ${expected.toFixed(1)}`);
        assert.match(top.retainer_path ?? '', /^history \(list, \d+ items/);
      } finally {
        p.kill();
      }
    });

    test('a stable process reports no grower', { skip: skipNoGdb }, async () => {
      const p = startFixture('py_processor_cache.py', ['--stable', '--lifetime', '600']);
      const out = follow(p.stdout);
      try {
        await waitForOutput(out, /^full/m); // the LRU holds its 50: nothing accumulates from here on
        const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '3', '--interval', '1', '--json']);
        assert.equal(r.code, 0, r.stderr);
        const rep = JSON.parse(r.stdout) as ProfileReport;
        assert.deepEqual(rep.growing.map((g) => g.type), [], JSON.stringify(rep.growing));
      } finally {
        p.kill();
      }
    });

    test('a target asleep in a C call: clear timeout, exit 3, and it survives and wakes normally', { skip: skipNoGdb }, async () => {
      // Asleep in one read(2) until the test wakes it, not for a fixed time: a timed sleep ran out on a
      // loaded box before leak-profile's start, gdb's attach and its 2 s had passed (census 1 then succeeded).
      const p = startFixture('py_sleeper.py', ['stdin'], { stdin: 'pipe' }); // and it wakes when the test process goes
      const done = collect(p);
      await waitForOutput(follow(p.stdout), /^sleeping/m); // in its C-level read now
      const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '2', '--interval', '1', '--timeout', '2']);
      p.stdin!.end('wake\n');
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /did not reach a safe point within 2 s \(it is blocked in a C call or a sleep\)/);
      const end = await done;
      assert.equal(end.code, 0, `the sleeper died: ${end.signal}`);
      assert.match(end.stdout, /woke/);
    });

    test('without gdb, a target that imported leak_detective_hook is profiled by signal', async () => {
      // A long lifetime, ended by SIGTERM once profiled (the target still checks itself and says "ok N").
      const p = startFixture('py_processor_cache.py', ['--hook', '--per-s', '20', '--kb', '64', '--lifetime', '600']);
      const done = collect(p);
      try {
        // The hook is in: it keeps a descriptor open on its own source file (how leak-profile recognises it).
        await waitUntil('the hook to be imported', () => { try { return readdirSync(`/proc/${p.pid}/fd`).some((fd) => { try { return readlinkSync(`/proc/${p.pid}/fd/${fd}`).endsWith('leak_detective_hook.py'); } catch { return false; } }); } catch { return false; } });
        await waitForGrowth(p.pid!, 2);
        const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '3', '--interval', '1', '--json'], { env: { PATH: '/nonexistent' } });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /imported leak_detective_hook: censuses on SIGUSR2, no gdb needed/);
        const top = (JSON.parse(r.stdout) as ProfileReport).growing[0]!;
        assert.equal(top.type, 'ProcessedImage');
        assert.match(top.retainer_path ?? '', /^processor\.image_processor\._cache/);
        assert.ok(isAlive(p.pid!));
      } finally {
        p.kill('SIGTERM');
      }
      const end = await done;
      assert.equal(end.code, 0);
      assert.match(end.stdout, /^ok \d+/m);
    });

    test('without gdb and without the hook: exit 3 saying how to get gdb', async () => {
      const p = startFixture('py_sleeper.py', ['10']);
      const out = follow(p.stdout);
      try {
        await waitForOutput(out, /^sleeping/m);
        const r = await runBin('leak-profile', ['--pid', String(p.pid)], { env: { PATH: '/nonexistent' } });
        assert.equal(r.code, 3);
        assert.match(r.stderr, /^leak-profile: gdb is not installed; install it \(apt-get install gdb\)/);
      } finally {
        p.kill();
      }
    });

    test('errors: no such PID → 3', async () => {
      const r = await runBin('leak-profile', ['--pid', '999999']);
      assert.equal(r.code, 3);
      assert.equal(r.stderr.trim(), 'leak-profile: no process with PID 999999');
      assert.ok(execFileSync('python3', ['--version'], { encoding: 'utf8' }).startsWith('Python 3'));
    });
  });
});
