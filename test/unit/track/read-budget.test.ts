// The tracker's read budget on a busy box (issue 21.1): costs are the CPU time the tracker spends, not
// the wall time a read took (on a saturated box that is mostly time spent waiting for a core), and a
// process under 1 GiB has its USS/PSS read every tick whatever the budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuCostMs } from '../../../src/track/read-governor.js';
import { procfsSource, GIANT_BYTES } from '../../../src/track/procfs-source.js';
import { readProcStat, readRssBytes } from '../../../src/track/proc-stat.js';
import { readSmapsRollup } from '../../../src/track/smaps-rollup.js';
import { startFixture, waitFor } from '../../helpers/procs.js';

test('a read is charged the CPU time it used, not the time it waited', () => {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const t0 = performance.now();
  const { ms } = cpuCostMs(() => Atomics.wait(cell, 0, 0, 80)); // blocked 80 ms, as if preempted
  const wall = performance.now() - t0;
  assert.ok(wall >= 75, `waited ${wall} ms`);
  assert.ok(ms < 20, `charged ${ms} ms of CPU for a wait of ${wall.toFixed(0)} ms`);
  // And CPU it did use is charged: spin until this process has used 20 ms of CPU (on a loaded box
  // that takes longer than 20 ms of wall time).
  const busy = cpuCostMs(() => {
    const c0 = process.cpuUsage();
    for (;;) {
      const c = process.cpuUsage(c0);
      if (c.user + c.system >= 20_000) return;
    }
  });
  assert.ok(busy.ms >= 20 && busy.ms < 40, `20 ms of CPU charged as ${busy.ms} ms`);
});

test('a 300 MB process is read every tick even where its read costs more than the giants\' budget', async () => {
  const child = startFixture('leaker.py', ['--base', '300', '--rate', '0', '--lifetime', '600']);
  try {
    const pid = child.pid!;
    await waitFor(() => (readRssBytes(pid) ?? 0) > 290 * 1048576, 60_000, 'the 300 MB base touched');
    assert.ok(readRssBytes(pid)! < GIANT_BYTES);
    const notices: string[] = [];
    // A budget of half what one read of it costs (in CPU): the governor of giants would read it every
    // 2nd tick; under 1 GiB it shares ten times that budget, so it is read every tick.
    const costs = Array.from({ length: 5 }, () => cpuCostMs(() => readSmapsRollup(pid)).ms).sort((a, b) => a - b);
    const budgetMs = costs[2]! / 2;
    const reader = procfsSource.reader(readProcStat(pid)!, { budgetMs, budgetPct: 1, notice: (m) => notices.push(m) });
    const uss = Array.from({ length: 12 }, () => reader.read(1).uss);
    assert.ok(uss.every((v) => v !== null && v > 250 * 1048576), `USS per tick: ${uss.map((v) => (v === null ? '-' : (v / 1048576).toFixed(0))).join(' ')}`);
    assert.deepEqual(notices, []);
  } finally {
    child.kill('SIGKILL');
  }
});
