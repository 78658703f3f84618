// The growth budget on real Node targets: Buffers kept in a Map (ArrayBuffers), plain JS objects (the
// V8 heap only) and a native addon that mallocs what no V8 figure sees (built here with the C compiler
// against Node's own headers). The test reads USS where the budget's window is: after the first snapshot,
// and once the fixture grew (before the last snapshot: what a snapshot itself leaves in the target, tens
// to hundreds of MB the allocator keeps, must not be blamed on the target).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FIXTURES } from '../helpers/paths.js';
import { collect, startBin, startFixture, waitFor } from '../helpers/procs.js';
import { watch } from '../helpers/profile-run.js';
import { partBytes, profileAcrossGrowth, uss } from '../helpers/budget-run.js';
import type { ProfileReport } from '../../src/types.js';

const MB = 1048576;
const FIRST = /snapshot 1\/2: done/;
const LAST = /snapshot 2\/2: taking/;
const FIRST_OF_3 = /snapshot 1\/3: done/;
const within = (got: number, want: number) => Math.abs(got - want) <= 0.15 * want;
const show = (rep: { budget?: { verdict: string }; warnings?: string[] }) => rep.budget?.verdict ?? `no budget: ${rep.warnings?.join('; ')}`;

async function run(args: string[]) {
  const p = startFixture('node-budget-target.js', args);
  const w = watch(p);
  await w.ready;
  return { p, ...(await profileAcrossGrowth(p, 'SIGUSR2', FIRST, LAST)) };
}

test('Buffers kept in a Map: the budget says ArrayBuffers (48 MB), and its USS growth is the one the test reads', async (t) => {
  const { p, rep, grown } = await run(['--kind', 'buffers', '--mb', '48']);
  try {
    t.diagnostic(`${show(rep)} (test read USS +${(grown / MB).toFixed(1)} MB)`);
    assert.equal(rep.budget?.dominant, 'array_buffers', show(rep));
    assert.ok(within(partBytes(rep, 'array_buffers'), 48 * MB), show(rep));
    assert.ok(within(rep.budget!.uss_delta, grown), `${show(rep)}; USS grew ${(grown / MB).toFixed(1)} MB`);
    // The Buffers may reuse memory the first snapshot left free in the allocator: USS then grows less
    // than they are, native reads below zero by at most what that snapshot left, and the line says why.
    const native = partBytes(rep, 'native');
    assert.ok(native >= -rep.budget!.first_capture_left! - 2 * MB && native <= 0.15 * grown, show(rep));
    if (native < -2 * MB) assert.match(rep.budget!.verdict, /native below zero: the growth reused memory the allocator had kept free after leak-profile's first snapshot/);
  } finally {
    p.kill();
  }
});

test('plain JS objects kept in a Map: the budget says V8 heap, and what the last snapshot leaves is not called native', async (t) => {
  const { p, rep, grown } = await run(['--kind', 'js', '--mb', '48']);
  try {
    t.diagnostic(`${show(rep)} (test read USS +${(grown / MB).toFixed(1)} MB)`);
    assert.equal(rep.budget?.dominant, 'v8_heap_used', show(rep));
    // The budget reads after the snapshot's own GC (the test cannot: a few MB less than the test's reading).
    assert.ok(rep.budget!.uss_delta <= 1.15 * grown && rep.budget!.uss_delta >= 0.5 * grown, `${show(rep)}; USS grew ${(grown / MB).toFixed(1)} MB`);
    const native = partBytes(rep, 'native');
    assert.ok(native <= 0.15 * grown, show(rep));
    // Below zero only where the growth reused what the first snapshot left in the allocator (a loaded CI
    // run: −6.1 MB of 31 MB left), and then the verdict says so.
    if (native < -0.15 * grown) {
      assert.ok(-native <= rep.budget!.first_capture_left!, show(rep));
      assert.match(rep.budget!.verdict, /native below zero: the growth reused memory the allocator had kept free after leak-profile's first snapshot/);
    }
  } finally {
    p.kill();
  }
});

test('a native addon that mallocs and keeps it: the budget says native, not visible to V8', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'leak-addon-'));
  const addon = path.join(dir, 'leaky.node');
  const include = path.join(path.dirname(process.execPath), '..', 'include', 'node');
  execFileSync('cc', ['-shared', '-fPIC', '-O1', '-DNODE_GYP_MODULE_NAME=leaky', `-I${include}`, path.join(FIXTURES, 'addon', 'leaky.c'), '-o', addon]);
  const { p, rep, grown } = await run(['--kind', 'native', '--mb', '48', '--addon', addon]);
  try {
    t.diagnostic(`${show(rep)} (test read USS +${(grown / MB).toFixed(1)} MB)`);
    assert.equal(rep.budget?.dominant, 'native', show(rep));
    assert.ok(within(partBytes(rep, 'native'), grown), `${show(rep)}; USS grew ${(grown / MB).toFixed(1)} MB`);
    assert.match(rep.budget!.verdict, /native memory no V8 figure shows/);
  } finally {
    p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('three snapshots (the default): what the middle one left is its own part, never the verdict, and not native', async (t) => {
  const p = startFixture('node-budget-target.js', ['--kind', 'js', '--mb', '48']);
  try {
    await watch(p).ready;
    let out = '', err = '';
    p.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const cli = startBin('leak-profile', ['--pid', String(p.pid), '--snapshots', '3', '--interval', '4', '--json']);
    cli.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const result = collect(cli, 180_000);
    await waitFor(() => FIRST_OF_3.test(err) || cli.exitCode !== null, 60_000, 'the first snapshot');
    const before = uss(p.pid!);
    p.kill('SIGUSR2');
    await waitFor(() => /^grew/m.test(out), 30_000, 'the fixture to grow');
    const grown = uss(p.pid!) - before;
    if (/snapshot 2\/3: taking/.test(err)) throw new Error(`the second snapshot began before the fixture grew (a box too slow for a 4 s interval): ${err}`);
    const r = await result;
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as ProfileReport;
    t.diagnostic(`${show(rep)} (test read USS +${(grown / MB).toFixed(1)} MB)`);
    assert.equal(rep.budget?.dominant, 'v8_heap_used', show(rep));
    assert.ok(partBytes(rep, 'snapshots') > 0, show(rep));
    assert.ok(Math.abs(partBytes(rep, 'native')) <= 0.15 * grown, show(rep));
    assert.match(rep.budget!.verdict, /^USS \+\d+ MB in \d+ s \(\d+ MB of it kept after leak-profile's own snapshots, not the target's\): .*: JavaScript objects hold it/);
  } finally {
    p.kill();
  }
});
