// The tracking core without the CLI: per-tick rows for exporters, abort reasons, launched commands stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { openDbForWrite } from '../../../src/store/open-db.js';
import { chooseProcessSource } from '../../../src/track/choose-source.js';
import { trackSession } from '../../../src/track/track-session.js';
import type { TickSummary } from '../../../src/track/sampler.js';
import { readSession } from '../../../src/store/read-session.js';
import { buildSessionReport } from '../../../src/report/session-report.js';
import { isAlive, PYTHON, startFixture } from '../../helpers/procs.js';
import { waitForChildren } from '../../helpers/wait.js';
import { PROGRAMS } from '../../helpers/paths.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ld-core-'));

test('trackSession: each tick hands over every process with its sample; the session is closed with its end reason', async () => {
  const db = openDbForWrite(path.join(tmp(), 'core.db'));
  const source = chooseProcessSource();
  const tree = startFixture('tree.py', ['--workers', '2', '--leak-rate', '30', '--lifetime', '600']);
  try {
    await waitForChildren(tree.pid!, 2, /leaker\.py/); // parent and both workers, as the ticks must show
    const ticks: TickSummary[] = [];
    let started: number | null = null;
    const r = await trackSession({
      target: { kind: 'pid', pid: tree.pid! }, intervalS: 0.25, durationS: 2, children: true, db, source, nvidiaSmi: null,
      onStart: (s) => (started = s.sessionId),
      onTick: (t) => ticks.push(t),
    });
    assert.equal(r.reason, 'duration');
    assert.equal(r.endReason, 'duration');
    assert.equal(r.signal, null);
    assert.equal(started, r.sessionId);
    assert.ok(ticks.length >= 4, `${ticks.length} ticks`);
    const last = ticks.at(-1)!;
    assert.equal(last.rows.length, 3, 'parent and two workers');
    const main = last.rows.find((x) => x.process.role === 'main')!;
    assert.equal(main.process.pid, tree.pid);
    assert.match(main.process.cmdline, /tree\.py/);
    assert.equal(last.rows.filter((x) => x.process.role === 'child' && x.process.ppid === tree.pid).length, 2);
    for (const row of last.rows) assert.ok(row.sample.rss! > 0 && row.sample.t_ms > 0);
    const s = db.prepare(`SELECT ended_at, end_reason FROM sessions WHERE id = ?`).get(r.sessionId) as { ended_at: string | null; end_reason: string };
    assert.ok(s.ended_at);
    assert.equal(s.end_reason, 'duration');
  } finally {
    tree.kill('SIGKILL');
    source.close();
    db.close();
  }
});

test('trackSession: aborting with a signal name records it and forwards it to a launched command, which is gone afterwards', async () => {
  const db = openDbForWrite(path.join(tmp(), 'abort.db'));
  const source = chooseProcessSource();
  const controller = new AbortController();
  let pid = 0;
  try {
    const run = trackSession({
      target: { kind: 'launch', command: [PYTHON, path.join(PROGRAMS, 'py_sleeper.py'), '60'] },
      intervalS: 0.2, durationS: 0, children: true, db, source, nvidiaSmi: null, signal: controller.signal, stopGraceMs: 2000,
      onLaunchOutput: () => {},
      onStart: (s) => (pid = s.target.pid),
      onTick: (t) => t.tick === 2 && controller.abort('SIGHUP'),
    });
    const r = await run;
    assert.equal(r.signal, 'SIGHUP');
    assert.equal(r.endReason, 'hangup');
    assert.equal(r.reason, 'aborted');
    assert.equal(r.childCode, 129, 'the launched sleeper died of the forwarded SIGHUP');
    assert.ok(pid > 0 && !isAlive(pid), 'launched command is gone');
    const s = db.prepare(`SELECT end_reason FROM sessions WHERE id = ?`).get(r.sessionId) as { end_reason: string };
    assert.equal(s.end_reason, 'hangup');
  } finally {
    if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    source.close();
    db.close();
  }
});

test('the live tree sum is on the metric the report judges the tree on (PSS), and is the report\'s own last value', async () => {
  // Issue 21: the status line summed USS while the verdict summed PSS; with a parent and forked
  // workers sharing the interpreter's pages the two sums differ by megabytes, and the two lines of one
  // report told two stories.
  const db = openDbForWrite(path.join(tmp(), 'live-metric.db'));
  const source = chooseProcessSource();
  const tree = startFixture('tree.py', ['--workers', '2', '--leak-rate', '0', '--lifetime', '600']);
  try {
    await waitForChildren(tree.pid!, 2, /leaker\.py/); // both workers up: the first tick sees the whole tree
    const ticks: TickSummary[] = [];
    const r = await trackSession({
      target: { kind: 'pid', pid: tree.pid! }, intervalS: 0.25, durationS: 2, children: true, db, source, nvidiaSmi: null,
      onTick: (t) => ticks.push(t),
    });
    const last = ticks.at(-1)!;
    assert.equal(last.rows.length, 3, 'parent and two workers');
    assert.equal(last.treeMetric, 'pss');
    const pss = last.rows.reduce((s, x) => s + x.sample.pss!, 0);
    const uss = last.rows.reduce((s, x) => s + x.sample.uss!, 0);
    assert.equal(last.treeBytes, pss, 'the sum of this tick\'s PSS');
    const { report } = buildSessionReport(readSession(db, r.sessionId));
    const row = report.processes.find((p) => p.role === 'tree')!;
    assert.equal(row.metric, 'pss');
    assert.ok(Math.abs(row.last_mb! - last.treeBytes / 1048576) <= 0.051, `report ${row.last_mb} MB, live ${(last.treeBytes / 1048576).toFixed(2)} MB (the USS sum: ${(uss / 1048576).toFixed(2)})`);
  } finally {
    tree.kill('SIGKILL');
    source.close();
    db.close();
  }
});
