// leak-profile on real Node processes that leak PrefetchedBatch objects (each retaining a Float64Array)
// through the holder shapes users write: an EventEmitter listener, a closure list, a Map, a module
// variable, a class static. Asserts the first grower, its retained bytes against what the program
// allocated, the ranking by retained bytes, the folded internals, and the holder path as code reads.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { runBin, waitFor } from '../helpers/procs.js';
import { PROGRAMS } from '../helpers/paths.js';
import type { ProfileReport } from '../../src/types.js';

const FLOATS = 8192; // 64 KiB of data per batch
const SRC = readFileSync(path.join(PROGRAMS, 'node-holders.js'), 'utf8').split('\n');
const lineOf = (needle: string) => SRC.findIndex((l) => l.includes(needle)) + 1;
const tmp = mkdtempSync(path.join(tmpdir(), 'ld-holders-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function profile(shape: string, extra: string[], snapshots: number, out?: string): Promise<ProfileReport> {
  // --inspect-port=0: SIGUSR1 opens the inspector on a free port, not 9229, which other tests share.
  const target = spawn(process.execPath, ['--inspect-port=127.0.0.1:0', path.join(PROGRAMS, 'node-holders.js'), '--shape', shape, '--floats', String(FLOATS), '--rate', '25', '--lifetime', '600', ...extra], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    let ready = '';
    target.stdout!.on('data', (c: Buffer) => (ready += c.toString()));
    await waitFor(() => ready.includes('ready'), 10_000, 'the fixture to start');
    const args = ['--pid', String(target.pid), '--snapshots', String(snapshots), '--interval', '1', '--json', ...(out ? ['--out', out] : [])];
    const r = await runBin('leak-profile', args);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as ProfileReport;
  } finally {
    target.kill();
  }
}

/** The first grower is PrefetchedBatch, retaining what the program allocated (±25 %), held by `path`. */
function assertBatchFirst(rep: ProfileReport, holder: string): void {
  const top = rep.growing[0]!;
  assert.equal(top.type, 'PrefetchedBatch', JSON.stringify(rep.growing.map((g) => [g.type, g.retained_bytes, g.bytes_delta])));
  assert.ok(top.count_delta >= 10, `enough new batches (${top.count_delta})`);
  const allocated = top.count_delta * FLOATS * 8;
  assert.ok(Math.abs(top.retained_bytes! - allocated) <= 0.25 * allocated, `retained ${top.retained_bytes} vs allocated ${allocated}`);
  assert.equal(top.retainer_path, holder);
  assert.equal(top.clusters?.[0]?.path, holder);
}

// Three shapes side by side (each its own target and snapshot directory): the file takes half the time,
// and the target's steps (25/s; 10 needed between snapshots) keep their margin on a loaded box.
describe('holder shapes', { concurrency: 3 }, () => {
  test('listener: loader._events.batch[…] → listener at node-holders.js:N → batch; ranked by retained bytes, internals folded; offline order from ids', async () => {
    const out = path.join(tmp, 'listener');
    const rep = await profile('listener', ['--small', '150'], 3, out);
    assertBatchFirst(rep, `loader._events.batch[…] → listener at node-holders.js:${lineOf("(shape === 'listener') loader.on(")} → batch (PrefetchedBatch)`);
    const rows = rep.growing;
    const at = (t: string) => rows.findIndex((g) => g.type === t);
    // The batch's own internals follow it, folded; they are never ranked above it.
    for (const t of ['Float64Array', 'ArrayBuffer', 'system / JSArrayBufferData']) {
      assert.equal(rows[at(t)]?.folded_into, 'PrefetchedBatch', t);
      assert.ok(at(t) > 0 && at(t) <= 3, `${t} right under PrefetchedBatch (at ${at(t)})`);
    }
    // StepRecords take more bytes themselves than the batches but retain far less: ranking by self size
    // (or reversed) would put them (or the typed array's backing store) first.
    const batch = rows[0]!, rec = rows[at('StepRecord')]!;
    assert.ok(at('StepRecord') > at('system / JSArrayBufferData'));
    assert.ok(rec.bytes_delta > batch.bytes_delta && rec.retained_bytes! < batch.retained_bytes!);
    const named = rows.filter((g) => !g.folded_into && !g.type.startsWith('(') && !g.type.startsWith('system /'));
    for (let i = 1; i < named.length; i++) assert.ok(named[i - 1]!.retained_bytes! >= named[i]!.retained_bytes!, `${named[i - 1]!.type} ≥ ${named[i]!.type}`);

    // Offline, given newest first: put back in order by V8's ids, said so; no rates without --interval.
    const files = readdirSync(out).filter((f) => f.endsWith('.heapsnapshot')).sort().map((f) => path.join(out, f));
    const rev = await runBin('leak-profile', ['--snapshot', ...[...files].reverse(), '--json']);
    assert.equal(rev.code, 0, rev.stderr);
    assert.match(rev.stderr, /given out of order; analysed in the order V8's object ids say/);
    const off = JSON.parse(rev.stdout) as ProfileReport;
    assert.deepEqual(off.snapshots.map((s) => s.file), files);
    assert.equal(off.timing, 'unknown');
    assert.equal(off.growing[0]!.type, 'PrefetchedBatch');
    assert.equal(off.growing[0]!.bytes_per_min, null);
    const text = await runBin('leak-profile', ['--snapshot', ...[...files].reverse()]);
    assert.match(text.stdout, /3 snapshots \(time between them unknown\)/);
    assert.match(text.stdout, /^ {2}PrefetchedBatch .* loader\._events\.batch\[…\] → listener at node-holders\.js:\d+ → batch \(PrefetchedBatch\)$/m);
    // --interval states the spacing; a copy (new file time) changes nothing.
    const copy = path.join(tmp, 'copied.heapsnapshot');
    copyFileSync(files[0]!, copy);
    const iv = await runBin('leak-profile', ['--snapshot', copy, files[1]!, files[2]!, '--interval', '30', '--json']);
    assert.equal(iv.code, 0, iv.stderr);
    const ivr = JSON.parse(iv.stdout) as ProfileReport;
    assert.equal(ivr.timing, 'interval');
    assert.deepEqual(ivr.snapshots.map((s) => s.t_s), [0, 30, 60]);
    const g0 = ivr.growing[0]!;
    assert.equal(g0.type, 'PrefetchedBatch');
    assert.ok(Math.abs(g0.retained_bytes_per_min! - g0.retained_bytes!) < 1, 'retained bytes over one minute');
  });

  test('closure: a callback list keeps each closure and the batch it captures', async () => {
    const rep = await profile('closure', [], 2);
    assertBatchFirst(rep, `pending[…] → function at node-holders.js:${lineOf("(shape === 'closure') pending.push(")} → batch (PrefetchedBatch)`);
  });

  test('Map: seen.set(step, batch)', async () => {
    assertBatchFirst(await profile('map', [], 2), 'seen (Map)');
  });

  test('module variable: history.push(batch)', async () => {
    assertBatchFirst(await profile('module', [], 2), 'history (Array)');
  });

  test('class static: Registry.all.push(batch)', async () => {
    assertBatchFirst(await profile('static', [], 2), 'Registry.all (Array)');
  });

  test('two holders of one type: two leak clusters, each with its count, share and retained bytes', async () => {
    const rep = await profile('split', [], 2);
    const top = rep.growing[0]!;
    assert.equal(top.type, 'PrefetchedBatch');
    const clusters = top.clusters ?? [];
    assert.deepEqual(clusters.map((c) => c.path).sort(), ['history (Array)', 'seen (Map)']);
    const total = clusters.reduce((s, c) => s + c.count, 0);
    assert.ok(Math.abs(total - top.count_delta) <= 1, `cluster counts ${total} add up to the new objects ${top.count_delta}`);
    for (const c of clusters) {
      assert.ok(c.share >= 0.35 && c.share <= 0.65, `${c.path}: about half (${c.share})`);
      assert.ok(Math.abs(c.retained_bytes - c.count * FLOATS * 8) <= 0.25 * c.count * FLOATS * 8, `${c.path}: ${c.retained_bytes} for ${c.count}`);
    }
  });
});
