// What one tick costs in /proc reads (issue 21.1): the tracker's CPU at 100 processes is mostly the
// kernel producing these files, so how many it opens is the behaviour to pin. A process whose
// smaps_rollup is due costs that one file (it carries RSS too); a tree scan reads the stat of members
// and new PIDs, not of every process it already knows to be outside the tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { procfsSource } from '../../../src/track/procfs-source.js';
import { readProcStat, readRssBytes } from '../../../src/track/proc-stat.js';
import { procFilesRead } from '../../../src/track/read-proc-file.js';
import { scanTree } from '../../../src/track/process-tree.js';
import { FULL_SCAN_EVERY, TreeWatcher } from '../../../src/track/tree-watcher.js';
import { startFixture, waitFor } from '../../helpers/procs.js';

/** The /proc files `fn` opened, with its result. */
function counted<T>(fn: () => T): { value: T; files: number } {
  const n0 = procFilesRead();
  const value = fn();
  return { value, files: procFilesRead() - n0 };
}

test('a reading of USS/PSS opens smaps_rollup alone (it carries RSS); a tick without one opens statm alone', async () => {
  const child = startFixture('leaker.py', ['--base', '20', '--rate', '0', '--lifetime', '600']);
  try {
    const pid = child.pid!;
    await waitFor(() => (readRssBytes(pid) ?? 0) > 20 * 1048576, 60_000, 'the 20 MB base touched');
    const notices: string[] = [];
    // A generous budget: read every tick.
    const every = procfsSource.reader(readProcStat(pid)!, { budgetMs: 1000, budgetPct: 1, notice: (m) => notices.push(m) });
    for (let i = 0; i < 6; i++) {
      const { value: m, files } = counted(() => every.read(1));
      assert.equal(files, 1, `tick ${i}: ${files} /proc files opened`);
      assert.ok(m.uss !== null && m.pss !== null && m.rss !== null && m.rss >= m.uss && m.rss > 20 * 1048576, JSON.stringify(m));
    }
    // A budget no read fits: after the governor's first readings, most ticks carry RSS only, from statm.
    const sparse = procfsSource.reader(readProcStat(pid)!, { budgetMs: 1e-9, budgetPct: 1e-7, notice: (m) => notices.push(m) });
    const ticks = Array.from({ length: 8 }, () => counted(() => sparse.read(1)));
    assert.ok(ticks.every((t) => t.files === 1), ticks.map((t) => t.files).join(' '));
    const rssOnly = ticks.filter((t) => t.value.uss === null);
    assert.ok(rssOnly.length >= 4, `${rssOnly.length} of 8 ticks without USS`);
    assert.ok(rssOnly.every((t) => t.value.rss !== null && t.value.rss > 20 * 1048576 && t.value.pss === null));
    assert.equal(notices.length, 1, notices.join('\n'));
  } finally {
    child.kill('SIGKILL');
  }
});

test('a tree scan reads the stat of members and new PIDs only, and finds children and grandchildren that are new', async () => {
  const me = readProcStat(process.pid)!;
  const before = spawn('sleep', ['30'], { stdio: 'ignore' });
  await waitFor(() => readProcStat(before.pid!) !== null, 10_000, 'the first child');
  const first = scanTree(me);
  assert.equal(first.statsRead, first.scanned - 1, 'the first scan reads every process but the root');
  assert.ok(first.tree.some((s) => s.pid === before.pid));
  // A child that forks a grandchild, both new since the first scan.
  const sh = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  const grandchild = await waitFor(() => scanTree(me).tree.find((s) => s.ppid === sh.pid), 10_000, 'the grandchild');
  try {
    const known = new Set([...first.outside, ...first.tree.map((s) => s.pid)]);
    const second = scanTree(me, first.outside);
    const listed = [...second.outside, ...second.tree.map((s) => s.pid)];
    const newcomers = listed.filter((pid) => !known.has(pid)).length;
    const members = second.tree.length - 1;
    assert.ok(second.statsRead <= members + newcomers, `${second.statsRead} stats read for ${members} members and ${newcomers} new PIDs`);
    assert.ok(second.statsRead < second.scanned - 1, `${second.statsRead} of ${second.scanned} read`);
    const pids = second.tree.map((s) => s.pid);
    assert.ok(pids.includes(before.pid!) && pids.includes(sh.pid!), 'the old child and the new one');
    assert.ok(second.tree.some((s) => s.ppid === sh.pid), 'the new grandchild');
    assert.ok(!second.tree.some((s) => s.pid === me.ppid), 'the parent stays outside');
  } finally {
    before.kill('SIGKILL');
    process.kill(grandchild.pid, 'SIGKILL');
    sh.kill('SIGKILL');
  }
});

test(`the watcher's scans skip known outsiders, and every ${FULL_SCAN_EVERY}th scan reads every process again`, async () => {
  const me = readProcStat(process.pid)!;
  const kid = spawn('sleep', ['30'], { stdio: 'ignore' });
  await waitFor(() => readProcStat(kid.pid!) !== null, 10_000, 'the child');
  try {
    // A 60 s interval: scans are cheap against it, so every read() scans.
    const w = new TreeWatcher(process.pid, me.startTicks, true, 60_000);
    const full: number[] = [];
    for (let i = 0; i < 2 * FULL_SCAN_EVERY + 1; i++) {
      assert.ok(w.read().some((s) => s.pid === kid.pid));
      if (w.lastScan.statsRead === w.lastScan.scanned - 1) full.push(i);
    }
    assert.deepEqual(full, [0, FULL_SCAN_EVERY, 2 * FULL_SCAN_EVERY]);
  } finally {
    kid.kill('SIGKILL');
  }
});
