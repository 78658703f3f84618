// leak-track --explain on live Node services: the listener leak is profiled while tracking goes on and
// named in the FAIL line, the verdict agrees with the same service tracked without --explain, the
// stored profile reads back without the target, and Ctrl-C in the middle of the automatic profile
// closes the inspector and saves the session.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { collect, runBin, startBin, startFixture, waitFor, HANG_GUARD_MS } from '../helpers/procs.js';
import { listeningPorts } from '../../src/profile/node/inspector-port.js';
import type { SessionReport } from '../../src/types.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ld-explain-'));

// Both cases side by side, each with its own services and database: the Ctrl-C case fits inside the
// 40 s of the first, whose verdicts are judged twin against twin (a busier box slows both alike).
describe('leak-track --explain on Node services', { concurrency: true }, () => {
  test('a Node service leaking through listeners: profiled while tracked, the holder in the FAIL line, the verdict as without --explain', async () => {
    const dir = tmp();
    // 5 steps/s of 1 MB batches kept by never-removed listeners: ~300 MB/min (each step also drops a
    // 1 MB temporary: the GC's sawtooth rides on the growth)
    const a = startFixture('node-holders.js', ['--shape', 'listener', '--rate', '5', '--floats', '131072', '--lifetime', '600']);
    const b = startFixture('node-holders.js', ['--shape', 'listener', '--rate', '5', '--floats', '131072', '--lifetime', '600']);
    try {
      // Judged on RSS, read every tick (USS is read every few ticks on a loaded box: too few for a twin test).
      const flags = ['--duration', '40s', '--interval', '0.5', '--json'];
      const [ra, rb] = await Promise.all([
        runBin('leak-track', [String(a.pid), '--db', path.join(dir, 'a.db'), '--explain', '--explain-interval', '1', ...flags]),
        runBin('leak-track', [String(b.pid), '--db', path.join(dir, 'b.db'), ...flags]),
      ]);
      assert.ok(ra.code === 0 || ra.code === 1, ra.stderr);
      const ja = JSON.parse(ra.stdout) as SessionReport;
      assert.equal((JSON.parse(rb.stdout) as SessionReport).explain, undefined);
      const e = ja.explain?.[0];
      assert.ok(e, ra.stderr);
      assert.equal(e.pid, a.pid);
      assert.equal(e.status, 'done', e.message ?? '');
      assert.match(e.top_holder ?? '', /^PrefetchedBatch kept in .*batch/, JSON.stringify(e.profile?.growing.slice(0, 2)));
      assert.match(e.paragraph, new RegExp(`^node ${a.pid} \\(main\\) (is|was) growing [\\d.]+ MB/min \\([\\d.]+–[\\d.]+\\).* Inside: PrefetchedBatch \\+[\\d.]+ MB/min kept in `), e.paragraph);
      assert.ok(e.windows.some((w) => w.kind === 'paused'), JSON.stringify(e.windows));
      // the verdict with and without the profile agree
      const rss = async (db: string) => {
        const r = await runBin('leak-report', ['--db', path.join(dir, db), '--metric', 'rss', '--json']);
        return (JSON.parse(r.stdout) as SessionReport).processes.find((p) => p.role === 'main')!;
      };
      const [pa, pb] = [await rss('a.db'), await rss('b.db')];
      assert.equal(pb.classification, 'growing', JSON.stringify(pb));
      assert.equal(pa.classification, 'growing', JSON.stringify(pa));
      assert.ok(pa.profile_samples_left_out! > 0);
      assert.ok(Math.abs(pa.rate_mb_per_min! - pb.rate_mb_per_min!) / pb.rate_mb_per_min! < 0.25, `with --explain ${pa.rate_mb_per_min} vs without ${pb.rate_mb_per_min} (${pb.rate_ci95_mb_per_min})`);
      assert.deepEqual(listeningPorts(a.pid!), [], 'the inspector is closed again');
      // leak-report later: the paragraph and the profile, without touching the target (it has exited)
      a.kill('SIGKILL');
      await waitFor(() => a.exitCode !== null || a.signalCode !== null, 5000, 'the service to exit');
      const rep = await runBin('leak-report', ['--db', path.join(dir, 'a.db')]);
      assert.equal(rep.code, 0, rep.stderr);
      assert.match(rep.stdout, /What grows inside \(leak-track --explain\):/);
      assert.ok(rep.stdout.includes(e.paragraph.slice(0, 40)), rep.stdout);
      assert.match(rep.stdout, /^\s+┆ *\^+/m, 'the windows are marked under the chart');
      const chk = await runBin('leak-check', ['--db', path.join(dir, 'a.db'), '--metric', 'rss', '--max-rate', '5', '--explain', '--junit', path.join(dir, 'j.xml')], { env: { GITHUB_ACTIONS: 'true' } });
      assert.equal(chk.code, 1);
      assert.match(chk.stdout, /^FAIL node .*; inside: PrefetchedBatch kept in /m);
      assert.match(chk.stdout, /^::error title=leak-check::FAIL .*inside: PrefetchedBatch kept in /m);
      assert.match(readFileSync(path.join(dir, 'j.xml'), 'utf8'), /<failure message="FAIL node [^"]*; inside: PrefetchedBatch kept in /);
      const html = await runBin('leak-report', ['--db', path.join(dir, 'a.db'), '--html', path.join(dir, 'r.html'), '--quiet']);
      assert.equal(html.code, 0, html.stderr);
    } finally {
      a.kill();
      b.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Ctrl-C in the middle of the automatic profile: the inspector is closed, the session and the interrupted profile are saved', async () => {
    const dir = tmp();
    const t = startFixture('node-holders.js', ['--shape', 'listener', '--rate', '5', '--floats', '131072', '--lifetime', '600']);
    try {
      const db = path.join(dir, 't.db');
      const run = startBin('leak-track', [String(t.pid), '--db', db, '--duration', '0', '--interval', '0.5', '--explain', '--explain-interval', '5']);
      let err = '';
      run.stderr!.on('data', (c: Buffer) => (err += c));
      const done = collect(run);
      await waitFor(() => /snapshot 1\/3: done/.test(err), HANG_GUARD_MS, 'the first snapshot of the automatic profile');
      const port = listeningPorts(t.pid!)[0];
      assert.ok(port, 'the inspector is open mid-profile');
      run.kill('SIGINT');
      const r = await done;
      assert.equal(r.code, 130, err);
      assert.deepEqual(listeningPorts(t.pid!), [], `the inspector is closed when leak-track exits: ${err}`);
      assert.match(err, /profile interrupted: interrupted by SIGINT; the inspector of PID \d+ is closed/);
      const d = new Database(db, { readonly: true });
      const s = d.prepare('SELECT end_reason FROM sessions').get() as { end_reason: string };
      const p = d.prepare('SELECT status, message FROM profiles').get() as { status: string; message: string };
      const w = d.prepare('SELECT count(*) AS n FROM profile_windows').get() as { n: number };
      d.close();
      assert.equal(s.end_reason, 'interrupted');
      assert.equal(p.status, 'interrupted');
      assert.ok(w.n >= 1);
      assert.match(r.stdout, /The profile was interrupted: interrupted by\s+SIGINT/);
      assert.equal(t.exitCode, null, 'the service keeps running');
    } finally {
      t.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
