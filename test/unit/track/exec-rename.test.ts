// A child read between its fork and its exec (a subprocess.run helper, caught in that window more often
// on a busy box) is its parent's program for a moment: once it has exec'd, the session names it after
// the program it runs (the live rows and the stored process alike), not after the parent it forked from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { openDbForWrite } from '../../../src/store/open-db.js';
import { chooseProcessSource } from '../../../src/track/choose-source.js';
import { trackSession } from '../../../src/track/track-session.js';
import type { TickSummary } from '../../../src/track/sampler.js';
import { PYTHON } from '../../helpers/procs.js';
import { follow, waitForOutput } from '../../helpers/wait.js';

// The child waits in python3 (before its exec) until the parent hears "go" on its stdin; both go when
// the test closes that stdin or the test process ends.
const PARENT = `
import os, sys
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    if os.read(r, 1) == b"x":
        os.execv("/bin/sleep", ["sleep", "600"])
    os._exit(0)
os.close(r)
print(pid, flush=True)
sys.stdin.readline()
os.write(w, b"x")
sys.stdin.readline()
os.kill(pid, 9)
`;

const comm = (pid: number): string | null => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
};

test('a child first read before its exec is named after the program it exec\'d, live and in the session', async () => {
  const db = openDbForWrite(path.join(mkdtempSync(path.join(tmpdir(), 'ld-exec-')), 'exec.db'));
  const source = chooseProcessSource();
  const parent = spawn(PYTHON, ['-c', PARENT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const controller = new AbortController();
  try {
    const child = Number((await waitForOutput(follow(parent.stdout), /^(\d+)$/m))[1]);
    const forked = comm(parent.pid!)!; // the parent's name (python3), the child's until its exec
    const ticks: TickSummary[] = [];
    let afterExec = 0;
    const r = await trackSession({
      target: { kind: 'pid', pid: parent.pid! }, intervalS: 0.2, durationS: 120, children: true, db, source, nvidiaSmi: null, signal: controller.signal,
      onTick: (t) => {
        ticks.push(t);
        const row = t.rows.find((x) => x.process.pid === child);
        if (row?.process.name === forked && afterExec === 0 && comm(child) === forked) parent.stdin!.write('go\n'); // seen before its exec: now exec
        if (comm(child) === 'sleep' && ++afterExec === 3) controller.abort('SIGINT'); // three ticks read it after its exec
      },
    });
    assert.equal(r.reason, 'aborted');
    const rows = ticks.map((t) => t.rows.find((x) => x.process.pid === child)?.process.name);
    assert.equal(rows.find((n) => n !== undefined), forked, `first read before its exec: ${rows.join()}`);
    assert.equal(rows.at(-1), 'sleep', `live rows: ${rows.join()}`);
    const stored = db.prepare(`SELECT name, cmdline FROM processes WHERE session_id = ? AND pid = ?`).all(r.sessionId, child) as { name: string; cmdline: string }[];
    assert.deepEqual(stored, [{ name: 'sleep', cmdline: 'sleep 600' }], 'one process, named after what it runs');
  } finally {
    parent.stdin!.end('\n\n');
    source.close();
    db.close();
  }
});
