// leak-profile --native-sites on a real Python target: the growth budget says native (within 15 % of the
// USS growth the test reads itself from /proc) and bpftrace's malloc/free trace finds the caller.
// In the serial step: Debian's bpftrace 0.17 ignores -p for a shared library's uprobes, so while it is
// attached every process using this libc traps on malloc (150x slower in bench/README.md §7c); a test
// running beside it would be starved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PYTHON } from '../helpers/procs.js';
import { traceScope } from '../../src/profile/native/trace-native.js';
import { partBytes, runPythonBudget, showBudget, within15 } from '../helpers/budget-run.js';

const MB = 1048576;
const within = within15, show = showBudget, run = runPythonBudget;

test('a ctypes malloc leak: the budget says native, within 15 % of the USS growth; --native-sites finds its caller', async (t) => {
  const { p, rep, grown, stderr } = await run(PYTHON, 'native', ['--native-sites']);
  try {
    // Who the trace slows is said when it starts and kept with the sites (bpftrace 0.17 here: every process using this libc).
    const scope = traceScope(execFileSync('bpftrace', ['--version'], { encoding: 'utf8' }), p.pid!);
    assert.ok(stderr.includes(`until the last census: ${scope}`), stderr);
    assert.ok(rep.native_sites?.note.endsWith(scope), rep.native_sites?.note);
    t.diagnostic(`${show(rep)} (test read USS +${(grown / MB).toFixed(1)} MB)`);
    assert.equal(rep.budget?.dominant, 'native', show(rep));
    assert.ok(within(partBytes(rep, 'native'), grown), `${show(rep)}; USS grew ${(grown / MB).toFixed(1)} MB`);
    assert.match(rep.budget!.verdict, /^USS \+\d+ MB in \d+ s: .*: a C extension or library allocates and does not free$/);
    // bpftrace followed malloc/free meanwhile: the fixture's 48 MiB came from one caller (libffi's call into malloc).
    const top = rep.native_sites?.sites[0];
    t.diagnostic(`native sites: ${JSON.stringify(rep.native_sites?.sites.slice(0, 3) ?? rep.warnings)}`);
    assert.ok(top && Math.abs(top.bytes - 48 * MB) <= 0.15 * 48 * MB, JSON.stringify(rep.native_sites ?? rep.warnings));
    assert.equal(top.allocations, 48 * 16);
  } finally {
    p.kill();
  }
});
