// The exporter's state and what prom-client renders from it, fed literal ticks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeriesGroups, type RankEnv, type TickRow } from '../../../src/export/series-groups.js';
import { RecentWindow } from '../../../src/export/recent-window.js';
import { createRegistries } from '../../../src/export/metrics.js';
import { parseRankEnv } from '../../../src/export/read-rank-env.js';
import { parseListenAddress } from '../../../src/export/listen-address.js';
import { wantsOpenMetrics } from '../../../src/export/metrics-server.js';
import { isLeakError } from '../../../src/errors.js';
import { rng } from '../../../src/analyze/stats.js';
import type { ProcessInfo, Sample } from '../../../src/types.js';

const MiB = 1048576;
const proc = (pid: number, role: 'main' | 'child', name = 'python'): ProcessInfo => ({ pid, ppid: 1, start_ticks: pid * 10, name, cmdline: `python train.py --secret ${pid}`, role });
const sample = (t_ms: number, uss: number | null, rss = (uss ?? 0) + 10 * MiB): Sample => ({ t_ms, uss, rss, pss: uss, swap: 0, vram: null, cpu: 1 });
const NO_RANK: RankEnv = { rank: '', local_rank: '', world_size: '' };

/** Feed ticks every second; `mem(pid, s)` gives each process's USS in bytes (null: not read). */
function run(g: SeriesGroups, procs: ProcessInfo[], env: (p: ProcessInfo) => RankEnv, seconds: number, mem: (pid: number, s: number) => number | null, from = 0): void {
  for (let s = from; s < from + seconds; s++) {
    const rows: TickRow[] = procs.map((p) => ({ process: p, sample: sample(1e12 + s * 1000, mem(p.pid, s)) }));
    for (const r of rows) if (!g.has(r.process)) g.join(r.process, env(r.process));
    g.tick(1e12 + s * 1000, rows);
  }
}

test('processes sharing labels are summed into one series; the tree is the total; no PID or command line', () => {
  const g = new SeriesGroups({ job: 'j' });
  const main = proc(100, 'main', 'torchrun');
  const ranks = [proc(101, 'child'), proc(102, 'child')];
  const workers = [proc(103, 'child'), proc(104, 'child')]; // DataLoader workers inherit their rank's RANK
  const env = (p: ProcessInfo): RankEnv => (p.pid === 100 ? NO_RANK : { rank: String((p.pid - 101) % 2), local_rank: String((p.pid - 101) % 2), world_size: '2' });
  run(g, [main, ...ranks, ...workers], env, 3, (pid) => pid * MiB);
  const byKey = new Map([...g.series.values()].map((s) => [`${s.labels.role}/${s.labels.name}/${s.labels.rank}`, s]));
  assert.deepEqual([...byKey.keys()].sort(), ['child/python/0', 'child/python/1', 'main/torchrun/', 'tree/torchrun/']);
  assert.equal(byKey.get('child/python/0')!.processes, 2);
  assert.equal(byKey.get('child/python/0')!.memory.uss, (101 + 103) * MiB);
  assert.equal(byKey.get('child/python/1')!.memory.uss, (102 + 104) * MiB);
  assert.equal(byKey.get('tree/torchrun/')!.memory.uss, (100 + 101 + 102 + 103 + 104) * MiB);
  assert.equal(byKey.get('tree/torchrun/')!.memory.vram, null, 'no VRAM read: no VRAM series');
  assert.equal(g.samplesTaken, 15);
  for (const s of g.series.values()) assert.doesNotMatch(JSON.stringify(s.labels), /10[0-4]|secret/);
});

test('the analysis on the recent window: a 30 MB/min leak is growing within 5 %, bounds around it; a flat process is stable', () => {
  const g = new SeriesGroups({ job: '' });
  const noise = rng(7);
  run(g, [proc(1, 'main'), proc(2, 'child', 'worker')], () => NO_RANK, 300, (pid, s) =>
    pid === 1 ? 200 * MiB + (30 * MiB * s) / 60 + (noise() - 0.5) * MiB : 50 * MiB + (noise() - 0.5) * MiB,
  );
  g.analyse();
  const main = [...g.series.values()].find((s) => s.labels.role === 'main')!;
  const worker = [...g.series.values()].find((s) => s.labels.name === 'worker')!;
  const perMin = (bps: number | null) => (bps! * 60) / MiB;
  assert.equal(main.rate!.classification, 'growing');
  assert.equal(main.rate!.type, 'uss');
  assert.ok(Math.abs(perMin(main.rate!.bytesPerSecond) - 30) < 1.5, `${perMin(main.rate!.bytesPerSecond)} MB/min`);
  assert.ok(main.rate!.lowerBytesPerSecond! <= main.rate!.bytesPerSecond! && main.rate!.bytesPerSecond! <= main.rate!.upperBytesPerSecond!);
  assert.equal(worker.rate!.classification, 'stable');
});

test('an exited process leaves its series until the grace period ends; a new process with the labels revives it', () => {
  const g = new SeriesGroups({ job: '', graceMs: 10_000 });
  const main = proc(1, 'main');
  const worker = proc(2, 'child', 'worker');
  run(g, [main, worker], () => NO_RANK, 5, () => 10 * MiB);
  run(g, [main], () => NO_RANK, 5, () => 10 * MiB, 5);
  const gone = [...g.series.values()].find((s) => s.labels.name === 'worker')!;
  assert.notEqual(gone.goneAtMs, null, 'marked gone at once');
  assert.equal(gone.memory.uss, null);
  const tree = [...g.series.values()].find((s) => s.labels.role === 'tree')!;
  assert.equal(tree.memory.uss, 10 * MiB, 'the tree total goes on with the main alone');
  assert.equal(tree.processes, 1);
  run(g, [main], () => NO_RANK, 6, () => 10 * MiB, 10);
  assert.equal([...g.series.values()].find((s) => s.labels.name === 'worker'), undefined, 'dropped after the grace period');
  run(g, [main, proc(3, 'child', 'worker')], () => NO_RANK, 2, () => 10 * MiB, 16);
  assert.equal([...g.series.values()].find((s) => s.labels.name === 'worker')!.goneAtMs, null);
});

test('by default an exited process\'s series stays 5 minutes (as the README says), then goes', () => {
  const g = new SeriesGroups({ job: '' });
  const main = proc(1, 'main');
  run(g, [main, proc(2, 'child', 'worker')], () => NO_RANK, 5, () => 10 * MiB);
  run(g, [main], () => NO_RANK, 299, () => 10 * MiB, 5); // the worker was last seen at 4 s, gone from 5 s
  assert.ok([...g.series.values()].some((s) => s.labels.name === 'worker'), 'kept for 299 s');
  run(g, [main], () => NO_RANK, 2, () => 10 * MiB, 304);
  assert.equal([...g.series.values()].find((s) => s.labels.name === 'worker'), undefined, 'dropped after 300 s');
});

test('a new series is analysed once its window can give a rate, whatever the budget; refreshes wait for it', () => {
  const g = new SeriesGroups({ job: '' });
  const procs = [proc(1, 'main'), proc(2, 'child', 'a'), proc(3, 'child', 'b')];
  const at = (s: number) => 1e12 + s * 1000;
  run(g, procs, () => NO_RANK, 9, (pid, s) => (100 + pid + s) * MiB);
  g.analyse(at(8), 0, 15_000);
  assert.ok([...g.series.values()].every((s) => s.rate === null), 'nine points: nothing analysed yet');
  run(g, procs, () => NO_RANK, 1, (pid, s) => (100 + pid + s) * MiB, 9);
  g.analyse(at(9), 0, 15_000);
  assert.ok([...g.series.values()].every((s) => s.rate !== null), 'ten points: every series (3 and the tree) has a first rate on a zero budget');
  const v = g.rateVersion;
  g.analyse(at(10), 0, 15_000);
  assert.equal(g.rateVersion, v, 'not stale yet: nothing re-analysed');
  g.analyse(at(30), 0, 15_000);
  assert.equal(g.rateVersion, v + 1, 'stale, no budget: only the oldest one');
});

test('a PID reused by a new process (another start time) is a new member, not the old one', () => {
  const g = new SeriesGroups({ job: '' });
  const old = proc(7, 'main');
  run(g, [old], () => NO_RANK, 2, () => 10 * MiB);
  const reborn: ProcessInfo = { ...old, start_ticks: old.start_ticks + 1 };
  assert.equal(g.has(old), true);
  assert.equal(g.has(reborn), false);
  run(g, [reborn], () => NO_RANK, 2, () => 20 * MiB, 2);
  assert.equal(g.has(old), false);
  assert.equal([...g.series.values()].find((s) => s.labels.role === 'main')!.memory.uss, 20 * MiB);
  assert.equal(g.samplesTaken, 4);
});

test('USS not read on a tick: the last reading stands in; a process whose USS is never readable puts the tree on RSS', () => {
  const g = new SeriesGroups({ job: '' });
  run(g, [proc(1, 'main'), proc(2, 'child')], () => NO_RANK, 4, (pid, s) => (pid === 1 && s % 2 === 1 ? null : 100 * MiB));
  const main = [...g.series.values()].find((s) => s.labels.role === 'main')!;
  assert.equal(main.memory.uss, 100 * MiB);
  const g2 = new SeriesGroups({ job: '' });
  run(g2, [proc(1, 'main'), proc(2, 'child')], () => NO_RANK, 4, (pid) => (pid === 2 ? null : 100 * MiB));
  const tree = [...g2.series.values()].find((s) => s.labels.role === 'tree')!;
  assert.equal(tree.memory.uss, null);
  assert.equal(tree.memory.rss, 100 * MiB + 10 * MiB + 10 * MiB);
});

test('the recent window keeps its capacity however long it runs, in time order; a type switch restarts it', () => {
  const w = new RecentWindow(8);
  for (let i = 0; i < 1000; i++) w.push(i, i * 2, 'uss');
  const { t_s, mb } = w.read();
  assert.deepEqual([...t_s], [992, 993, 994, 995, 996, 997, 998, 999]);
  assert.deepEqual([...mb], [1984, 1986, 1988, 1990, 1992, 1994, 1996, 1998]);
  w.push(1000, 5, 'rss');
  assert.equal(w.length, 1);
  assert.equal(w.read().type, 'rss');
});

test('rendered: one state per series is 1, rates carry the type label, counters keep _total in both formats', async () => {
  const g = new SeriesGroups({ job: 'fleet' });
  run(g, [proc(1, 'main')], () => ({ rank: '3', local_rank: '3', world_size: '8' }), 60, (_, s) => 100 * MiB + s * MiB);
  g.analyse();
  const { text, openMetrics } = createRegistries(g, { version: '9.9.9' });
  const body = await text.metrics();
  const states = [...body.matchAll(/^leak_detective_classification\{state="([a-z-]+)",role="main",name="python",rank="3",local_rank="3",world_size="8",job="fleet"\} ([01])$/gm)];
  assert.equal(states.length, 5);
  assert.deepEqual(states.filter((m) => m[2] === '1').map((m) => m[1]), ['growing']);
  assert.match(body, /^leak_detective_growth_rate_bytes_per_second\{type="uss",role="main",name="python",rank="3",local_rank="3",world_size="8",job="fleet"\} 1048576$/m); // 1 MiB per second
  assert.match(body, /^leak_detective_samples_total 60$/m);
  assert.match(body, /^leak_detective_build_info\{version="9\.9\.9",nodeversion="[\d.]+"\} 1$/m);
  const om = await openMetrics.metrics();
  assert.match(om, /^leak_detective_samples_total 60$/m);
  assert.match(om, /# EOF\n$/);
  assert.match(await text.metrics(), /^# TYPE leak_detective_samples_total counter$/m);
});

test('rank variables: whole numbers only, from a NUL-separated block', () => {
  assert.deepEqual(parseRankEnv('PATH=/bin\0RANK=3\0LOCAL_RANK=03\0WORLD_SIZE=16\0'), { rank: '3', local_rank: '3', world_size: '16' });
  assert.deepEqual(parseRankEnv('RANK=$(rm -rf)\0WORLD_SIZE=\0'), { rank: '', local_rank: '', world_size: '' });
  assert.deepEqual(parseRankEnv('MY_RANK=1\0RANKS=2'), { rank: '', local_rank: '', world_size: '' });
});

test('--prometheus addresses: loopback unless a host is given; bad ones are usage errors naming the value', () => {
  assert.deepEqual(parseListenAddress('9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListenAddress(':9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseListenAddress('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 });
  assert.deepEqual(parseListenAddress('[::]:9464'), { host: '::', port: 9464 });
  assert.deepEqual(parseListenAddress('node7.cluster:0'), { host: 'node7.cluster', port: 0 });
  for (const bad of ['', 'abc', '65536', '1.2.3.4:', 'http://x:1', '-1']) {
    assert.throws(() => parseListenAddress(bad), (e) => isLeakError(e) && e.exitCode === 2 && e.message.includes(`\`${bad}\``));
  }
  assert.equal(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'), true);
  assert.equal(wantsOpenMetrics('text/plain'), false);
  assert.equal(wantsOpenMetrics(undefined), false);
});
