// The memory limit a job runs under is recorded with the session, and the report says when growth reaches
// it. A real cgroup with a real limit (v1 or v2, whichever this kernel mounts), a real leaker inside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, startFixture, waitFor } from '../helpers/procs.js';
import { trackUntilChecked } from '../helpers/track-until.js';
import type { SessionReport } from '../../src/types.js';

const isRoot = process.getuid?.() === 0;
const LIMIT_MB = 400;

/** Make a memory cgroup limited to LIMIT_MB; returns its path inside the hierarchy and how to join it. */
function makeCgroup(): { rel: string; dir: string; join: (pid: number) => void } {
  const rel = `/leak-detective-test-${process.pid}`;
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const dir = v2 ? `/sys/fs/cgroup${rel}` : `/sys/fs/cgroup/memory${rel}`;
  mkdirSync(dir);
  writeFileSync(path.join(dir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), String(LIMIT_MB * 1024 * 1024));
  return { rel, dir, join: (pid) => writeFileSync(path.join(dir, 'cgroup.procs'), String(pid)) };
}

test('a leaker in a 400 MB cgroup: the limit is recorded and the report says when it is reached', { skip: !isRoot && 'creating a cgroup needs root (CI runs this as root)' }, async () => {
  const cg = makeCgroup();
  const leaker = startFixture('leaker.py', ['--rate', '120', '--lifetime', '600']);
  try {
    cg.join(leaker.pid!);
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'ld-e2e-')), 'l.db');
    // Until the growth is decided (leak-check FAILs it at 5 MB/min), not a fixed 20 s; then the leaker exits.
    const r = await trackUntilChecked(leaker, db, ['--interval', '0.5', '--json'], ['--max-rate', '5']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as SessionReport;
    assert.equal(report.session.mem_limit_source, `cgroup ${cg.rel}`);
    assert.equal(report.session.mem_limit_mb, LIMIT_MB);
    const main = report.processes.find((p) => p.role === 'main')!;
    assert.equal(main.classification, 'growing', JSON.stringify(main));
    // (400 MB − the last reading) at the measured rate, as the report computes it, to the second.
    const expected = ((LIMIT_MB - main.last_mb!) / main.rate_mb_per_min!) * 60;
    assert.ok(Math.abs(main.reach_limit_s! - expected) <= 2, `reach_limit_s ${main.reach_limit_s} vs ${expected.toFixed(0)}`);
    assert.ok(main.reach_limit_s! > 60 && main.reach_limit_s! < 400, `about 3 min at 120 MB/min: ${main.reach_limit_s}`);
    const text = await runBin('leak-report', ['--db', db]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout.replace(/\s+/g, ' '), new RegExp(`reaches its cgroup's ${LIMIT_MB} MB limit \\(${cg.rel}\\) in ~\\d+m\\d\\ds`));
  } finally {
    leaker.kill('SIGKILL');
    await waitFor(() => leaker.exitCode !== null || leaker.signalCode !== null, 10_000, 'the leaker to exit');
    // A cgroup can be removed once empty; the kernel may need a moment to account the exit.
    await waitFor(() => {
      try {
        rmdirSync(cg.dir);
        return true;
      } catch {
        return false;
      }
    }, 10_000, `removing ${cg.dir}`);
  }
});
