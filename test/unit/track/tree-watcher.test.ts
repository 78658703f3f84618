import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readProcStat } from '../../../src/track/proc-stat.js';
import { TreeWatcher } from '../../../src/track/tree-watcher.js';

import { waitForExec } from '../../helpers/wait.js';

const pidsOf = (w: TreeWatcher) => w.read().map((s) => s.pid);

test('an expensive /proc scan runs every k-th tick, said once; exits are seen every tick, new children on scans', async () => {
  const me = readProcStat(process.pid)!;
  const first = spawn('sleep', ['30']);
  await waitForExec(first.pid!, /\/sleep$/); // our child, running sleep, as the scan will find it
  const notices: string[] = [];
  // 1 ms interval: the scan budget is 5 µs, far below one scan, so k must rise.
  const w = new TreeWatcher(process.pid, me.startTicks, true, 1, (m) => notices.push(m));
  for (let i = 0; i < 5; i++) assert.ok(pidsOf(w).includes(first.pid!));
  assert.equal(notices.length, 1, notices.join('\n'));
  assert.match(notices[0]!, /^looking for new children every \d+ ticks \(a scan of all \d+ processes on this machine takes [\d.]+ ms of CPU\); known children are read every tick$/);
  const k = Number(/every (\d+) ticks/.exec(notices[0]!)![1]);
  assert.ok(k > 1);

  // Find a scan tick: the read on which a new child first appears.
  const second = spawn('sleep', ['30']);
  await waitForExec(second.pid!, /\/sleep$/);
  let reads = 0;
  while (!pidsOf(w).includes(second.pid!)) assert.ok(++reads <= w.scanEvery, `found within k = ${w.scanEvery} ticks`);
  // Right after a scan: the next k - 1 ticks only re-read known members; the k-th scans again.
  const third = spawn('sleep', ['30']);
  await waitForExec(third.pid!, /\/sleep$/);
  const every = w.scanEvery; // as set by the scan just done
  const seen: boolean[] = [];
  for (let i = 0; i < every; i++) seen.push(pidsOf(w).includes(third.pid!));
  assert.deepEqual(seen, [...Array(every - 1).fill(false), true]);
  third.kill('SIGKILL');

  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  assert.ok(!pidsOf(w).includes(first.pid!), 'an exit is seen on the very next tick');
  second.kill('SIGKILL');
  assert.equal(notices.length, 1, 'said once');
});

test('a cheap scan runs every tick', () => {
  const me = readProcStat(process.pid)!;
  const notices: string[] = [];
  const w = new TreeWatcher(process.pid, me.startTicks, true, 60_000, (m) => notices.push(m));
  for (let i = 0; i < 10; i++) w.read();
  assert.equal(notices.length, 0);
});
