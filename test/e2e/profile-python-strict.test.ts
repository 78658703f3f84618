// Nothing of ours escapes into the target (#18.3): a target with warnings.simplefilter("error") under
// -X dev keeps no file of ours open, and nothing reaches its stderr; a target that replaced
// gc.get_referrers is refused with one line and exit 3 (its condition, not our bug).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PYTHON, runBin } from '../helpers/procs.js';
import { PROGRAMS } from '../helpers/paths.js';
import { watch } from '../helpers/profile-run.js';

function startStrict(python: string, extra: string[] = []) {
  const p = spawn(python, ['-X', 'dev', path.join(PROGRAMS, 'py_strict_target.py'), '--per-s', '20', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { p, w: watch(p) };
}

/** Run a profile against a strict target; the target's end (stdout, stderr) after SIGTERM. */
export async function strictRun(python: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string; end: { stdout: string; stderr: string } }> {
  const { p, w } = startStrict(python, extra);
  try {
    await w.ready;
    const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '2', '--interval', '1', '--json'], { timeoutMs: 80_000 });
    p.kill('SIGTERM');
    const end = await w.done;
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, end };
  } finally {
    p.kill('SIGKILL');
  }
}

for (const [how, extra] of [['gdb', []], ['the hook', ['--hook']]] as const) {
test(`a strict target (-X dev, warnings as errors), census by ${how}: census and holders leave no file open, nothing on its stderr`, async () => {
  const run = await strictRun(PYTHON, [...extra]);
  assert.equal(run.code, 0, run.stderr);
  const rep = JSON.parse(run.stdout) as { growing: { type: string; retainer_path: string | null }[] };
  assert.equal(rep.growing[0]?.type, 'LoggedBatch', run.stdout);
  assert.match(rep.growing[0]!.retainer_path ?? '', /^history \(list, \d+ items/);
  assert.equal(run.end.stderr, '', 'nothing of the census reached the target\'s stderr');
  const m = /^ok \d+ fds=(.*)$/m.exec(run.end.stdout);
  assert.ok(m, run.end.stdout);
  // the hook keeps its one marker descriptor on its own source (that is how leak-profile finds it)
  assert.deepEqual(m[1]!.split(',').filter((f) => /leak|census/.test(f) && !f.endsWith('/leak_detective_hook.py')), [], `a file of ours is still open: ${m[1]}`);
});
}

test('a target whose gc.get_referrers raises: one line, exit 3, and the target keeps running unharmed', async () => {
  const { p, w } = startStrict(PYTHON, ['--patch-referrers']);
  try {
    await w.ready;
    const r = await runBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '2', '--interval', '1'], { timeoutMs: 80_000 });
    assert.equal(r.code, 3, r.stderr);
    // refused at the first census, in one line after the progress lines
    assert.doesNotMatch(r.stderr, /census 2\/2|Error|Traceback|\n\s+at /);
    assert.match(r.stderr.trim().split('\n').pop()!, /^leak-profile: the census could not run inside PID \d+: it replaced gc\.get_referrers .*; the target was left running/);
    p.kill('SIGTERM');
    const end = await w.done;
    assert.match(end.stdout, /^ok \d+/m);
    assert.equal(end.stderr, '');
  } finally {
    p.kill('SIGKILL');
  }
});
