// The portable source's reads on real processes: a worker that exited but is not yet reaped (a
// zombie) reads RSS 0 from `ps` and from /proc alike; it must count as gone, never as a 0-byte sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { usage } from '../../../src/track/portable-source.js';

test('portable source: a zombie child is left out of the reads, a live process is read, via ps and via /proc', async () => {
  // The parent forks a child that exits at once and is never reaped; the parent prints its PID.
  const parent = spawn('python3', ['-c', 'import os, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(parent.stdout, 'data')) as [Buffer];
    const zombie = Number(String(line).trim());
    assert.ok(zombie > 0);
    for (const usePs of ['true', 'false']) {
      process.env.PIDUSAGE_USE_PS = usePs;
      let read = await usage([parent.pid!, zombie]);
      for (let i = 0; i < 50 && read.has(zombie); i++) read = await usage([parent.pid!, zombie]); // until the child has exited
      assert.deepEqual([...read.keys()], [parent.pid], `PIDUSAGE_USE_PS=${usePs}`);
      assert.ok(read.get(parent.pid!)!.memory > 1048576);
    }
  } finally {
    delete process.env.PIDUSAGE_USE_PS;
    parent.kill();
  }
});
