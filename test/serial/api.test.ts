// The library API over real recordings and a real process: the same JSON the CLI prints.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readReport, profilePid, isLeakError, track } from '../../src/index.js';
import { PYTHON, runBin, startFixture } from '../helpers/procs.js';
import { waitForSignalHandler } from '../helpers/wait.js';
import { PROGRAMS } from '../helpers/paths.js';

// The three side by side (~20 s instead of ~45): each tracks or profiles its own process, and each
// assertion on a rate was written to hold when a neighbour starves the leaker (see below).
describe('the library API', { concurrency: 3 }, () => {
  test('readReport returns what `leak-report --json` prints, for a real recording', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ld-api-'));
    const db = path.join(dir, 'run.db');
    const track = await runBin('leak-track', ['0.3', '0.5', '--db', db, '--quiet', '--', PYTHON, path.join(PROGRAMS, 'leaker.py'), '--rate', '90', '--lifetime', '60']);
    assert.equal(track.code, 0, track.stderr);
    const cli = await runBin('leak-report', ['--db', db, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    const api = readReport(db);
    assert.equal(api.length, 1);
    assert.deepEqual(api[0], JSON.parse(cli.stdout));
    const main = readReport(db, { maxRate: 50 })[0]!.processes.find((p) => p.role === 'main')!;
    // A short run of a leaker that the rest of the suite starves of CPU allocates in bursts: the verdict may
    // still be undecided, but it is never "no leak", and the interval holds what the program allocates.
    assert.ok(['growing', 'insufficient-data'].includes(main.classification!), `${main.classification}`);
    const [lo, hi] = main.rate_ci95_mb_per_min!;
    // The program's USS also carries its own bookkeeping (an mmap object and a list slot per allocation,
    // ~0.1–0.5 % on top): a near-noiseless run's interval is that narrow, so it must reach within 1 %.
    assert.ok(lo <= 90 * 1.01 && 90 * 0.99 <= hi, `the 95 % interval ${lo}–${hi} reaches 90 MB/min ±1 %`);
    if (main.classification === 'growing') assert.ok(Math.abs(main.rate_mb_per_min! - 90) < 0.15 * 90, `rate ${main.rate_mb_per_min}`);
    assert.notEqual(main.verdict, 'pass');
    assert.throws(() => readReport(path.join(dir, 'missing.db')), (e: unknown) => isLeakError(e) && e.exitCode === 3 && /no database at/.test(e.message));
  });

  test('profilePid on a live Node service: the growing class and its holder, as leak-profile --json', async () => {
    const svc = startFixture('node-cache-service.js', ['--rate', '2000', '--lifetime', '600']);
    try {
      // Its inspector's SIGUSR1 handler set up (at start): leak-profile can open it now.
      await waitForSignalHandler(svc.pid!, 'SIGUSR1');
      const lines: string[] = [];
      const rep = await profilePid(svc.pid!, { snapshots: 3, interval_s: 2, onProgress: (l) => lines.push(l) });
      assert.deepEqual(rep.target, { pid: svc.pid, runtime: 'node' });
      assert.equal(rep.growing[0]?.type, 'TokenizedSample');
      assert.equal(rep.growing[0]?.retainer_path, 'processor.tokenizer._cache (Map)');
      assert.ok(lines.some((l) => /verified closed/.test(l)), lines.join('\n'));
    } finally {
      svc.kill();
    }
  });

  test('track launches a command, follows it, and returns the Report JSON; an abort stops it and its command', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ld-api-'));
    const db = path.join(dir, 'api.db');
    const ticks: number[] = [];
    const done = await track({
      command: [PYTHON, path.join(PROGRAMS, 'leaker.py'), '--rate', '120', '--lifetime', '14'],
      db, durationS: 0, intervalS: 0.5, maxRate: 50, onTick: (t) => ticks.push(t.rows.length),
    });
    assert.equal(done.endReason, 'target-exited');
    assert.ok(ticks.length >= 20, `${ticks.length} ticks`);
    const main = done.report.processes.find((p) => p.role === 'main')!;
    // A short run of a leaker that the rest of the suite starves of CPU allocates in bursts: the verdict may
    // still be undecided, but it is never "no leak", and the interval holds what the program allocates.
    assert.ok(['growing', 'insufficient-data'].includes(main.classification!), `${main.classification}`);
    const [lo, hi] = main.rate_ci95_mb_per_min!;
    assert.ok(lo <= 120 * 1.01 && 120 * 0.99 <= hi, `the 95 % interval ${lo}–${hi} reaches 120 MB/min ±1 % (the program's own bookkeeping, above)`);
    if (main.classification === 'growing') assert.ok(Math.abs(main.rate_mb_per_min! - 120) < 0.15 * 120, `rate ${main.rate_mb_per_min}`);
    assert.notEqual(main.verdict, 'pass');
    assert.deepEqual(readReport(db, { maxRate: 50 })[0], done.report, 'what it returns is what was stored');

    // Aborted once it is under way (a few ticks taken), not after a fixed time.
    const ac = new AbortController();
    let taken = 0;
    const stopped = await track({
      command: [PYTHON, path.join(PROGRAMS, 'leaker.py'), '--lifetime', '600'], db, durationS: 0, intervalS: 0.5, signal: ac.signal,
      onTick: () => void (++taken === 4 && ac.abort('SIGTERM')),
    });
    assert.equal(stopped.endReason, 'terminated');
    const pid = stopped.report.processes.find((p) => p.role === 'main')!.pid;
    assert.throws(() => process.kill(pid, 0), 'the launched command is gone');
    await assert.rejects(track({ db, pid: 1, command: ['x'] }), /exactly one of pid, command, match or findTraining/);
  });
});
