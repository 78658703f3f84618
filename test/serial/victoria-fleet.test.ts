// A real VictoriaMetrics on loopback (random port, temp data dir) holding a generated fleet with its
// truth (300 series × 6 h at 15 s, imported) and a live tracker's exposition it scrapes itself
// (-promscrape.config). leak-report reads the fleet back by VM's bulk export: every grower found at its
// rate, no sawtooth or cycle called a leak; one series asked for alone reads as it does in the fleet;
// the same data backfilled into a real Prometheus (range queries in shards) gives the same verdicts;
// the tracked leaker is read back growing at its tracker's rate; leak-check fails naming the growers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { freePort } from '../helpers/free-port.js';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { PYTHON, runBin, startBin } from '../helpers/procs.js';
import { waitUntil } from '../helpers/wait.js';
import { PROGRAMS } from '../helpers/paths.js';
import { importFleet, openMetricsOf, type FleetSpec } from '../helpers/fleet-generator.js';
import { parseFleetJson, type FleetRow } from '../helpers/fleet-json.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-vm-fleet-'));
const spawned: ChildProcess[] = [];
after(async () => {
  for (const c of spawned.reverse()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(spawned.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : null)));
  rmSync(dir, { recursive: true, force: true });
});

/** Poll an HTTP condition; a refused connection (the server still starting) is "not yet". */
const until = (fn: () => Promise<boolean>, ms: number, what: string) => waitUntil(what, () => fn().catch(() => false), { timeoutMs: ms, everyMs: 250 });

const RATE = 60; // MB/min, the tracked leaker
const SERIES = 300;

test('VictoriaMetrics: a generated fleet and a tracked leaker read back right; Prometheus agrees', { timeout: 240_000 }, async (t) => {
  // The live part first: it needs time to accumulate while the rest is set up.
  const trackerPort = await freePort();
  const leaker = spawn(PYTHON, [path.join(PROGRAMS, 'leaker.py'), '--rate', String(RATE), '--lifetime', '600', '--base', '10'], { env: { ...process.env, RANK: '5', WORLD_SIZE: '8' }, stdio: 'ignore' });
  spawned.push(leaker);
  const tracker = startBin('leak-track', [String(leaker.pid), '--duration', '0', '--interval', '1', '--db', path.join(dir, 'node.db'), '--prometheus', `127.0.0.1:${trackerPort}`, '--job', 'live', '--quiet']);
  spawned.push(tracker);
  await until(async () => (await fetch(`http://127.0.0.1:${trackerPort}/metrics`)).ok, 20_000, 'the tracker serving /metrics');

  const vmPort = await freePort();
  const vm = `http://127.0.0.1:${vmPort}`;
  writeFileSync(path.join(dir, 'scrape.yml'), `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: leak-detective\n    static_configs: [{ targets: ["127.0.0.1:${trackerPort}"] }]\n`);
  const vmProc = spawn('victoria-metrics', [
    `-storageDataPath=${path.join(dir, 'vm')}`, `-httpListenAddr=127.0.0.1:${vmPort}`, `-promscrape.config=${path.join(dir, 'scrape.yml')}`,
    '-retentionPeriod=10y', '-loggerLevel=ERROR', '-search.latencyOffset=1s',
  ], { stdio: 'ignore' });
  spawned.push(vmProc);
  await until(async () => (await fetch(`${vm}/health`)).ok, 30_000, 'VictoriaMetrics healthy');
  const liveFrom = Date.now();

  const endMs = Math.floor(Date.now() / 15_000) * 15_000 - 60_000;
  const spec: FleetSpec = { series: SERIES, hours: 6, stepS: 15, endMs };
  const truth = await importFleet(vm, spec);
  const until_ = String(endMs / 1000 + 1);
  const read = async (url: string, query: string, ...extra: string[]) => {
    const r = await runBin('leak-report', ['--prometheus', url, '--query', query, '--since', '6h', '--until', until_, '--json', ...extra], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    return parseFleetJson(r.stdout);
  };
  const fleet = await read(vm, 'fleet_memory_bytes');
  assert.equal(fleet.fleet.via, 'bulk export (/api/v1/export)');
  assert.equal(fleet.rows.length, SERIES);
  const byRank = new Map<string, FleetRow>(fleet.rows.map((r) => [r.labels.rank!, r]));
  const wrong: string[] = [];
  for (const tr of truth) {
    const r = byRank.get(tr.labels.rank!)!;
    assert.equal(r.samples, 6 * 240, `rank ${tr.labels.rank}: every raw sample counted`);
    if (tr.kind === 'growing') {
      if (r.classification !== 'growing' || Math.abs(r.rate_mb_per_min! - tr.rate) > 0.05 * tr.rate) wrong.push(`rank ${tr.labels.rank} grows ${tr.rate}: ${r.classification} ${r.rate_mb_per_min}`);
    } else if (r.classification === 'growing') wrong.push(`rank ${tr.labels.rank} (${tr.kind}) called growing ${r.rate_mb_per_min}`);
    else if ((tr.kind === 'sawtooth' || tr.kind === 'cycling') && r.classification !== 'cycling') wrong.push(`rank ${tr.labels.rank} (${tr.kind}) called ${r.classification}`);
    else if (tr.kind === 'stable' && r.classification !== 'stable') wrong.push(`rank ${tr.labels.rank} (stable) called ${r.classification}`);
  }
  t.diagnostic(`VM bulk export: ${JSON.stringify(fleet.fleet.counts)} in ${fleet.fleet.seconds} s; wrong: ${wrong.length}`);
  assert.deepEqual(wrong, []);
  assert.deepEqual(fleet.fleet.growing.length, truth.filter((x) => x.kind === 'growing').length);

  // One series asked for alone reads exactly as it does in the fleet (same grid, same analysis).
  for (const rank of ['7', '3', '0']) {
    const alone = (await read(vm, `fleet_memory_bytes{rank="${rank}"}`)).rows[0]!;
    const { name: _a, ...a } = alone;
    const { name: _b, ...b } = byRank.get(rank)!;
    assert.deepEqual(a, b, `rank ${rank} alone vs in the fleet`);
  }

  // VM's query API too (no export): the same verdicts through range queries in shards.
  // The same data in a real Prometheus (promtool backfill): range queries in shards, the same verdicts.
  const om = createWriteStream(path.join(dir, 'fleet.om'));
  for (const chunk of openMetricsOf(spec)) if (!om.write(chunk)) await once(om, 'drain');
  om.end();
  await once(om, 'finish');
  const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'fleet.om'), path.join(dir, 'prom')], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const promPort = await freePort();
  writeFileSync(path.join(dir, 'prometheus.yml'), 'global: { scrape_interval: 15s }\nscrape_configs: []\n');
  const prom = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn', '--storage.tsdb.retention.time=10y', '--query.max-samples=200000'], { stdio: 'ignore' });
  spawned.push(prom);
  await until(async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok, 60_000, 'Prometheus ready');
  const viaProm = await read(`http://127.0.0.1:${promPort}`, 'fleet_memory_bytes');
  assert.equal(viaProm.fleet.via, 'range-vector queries in shards');
  const differ: string[] = [];
  for (const r of viaProm.rows) {
    const v = byRank.get(r.labels.rank!)!;
    if (r.classification !== v.classification || Math.abs((r.rate_mb_per_min ?? 0) - (v.rate_mb_per_min ?? 0)) > 0.01 + 0.01 * Math.abs(v.rate_mb_per_min ?? 0)) {
      differ.push(`rank ${r.labels.rank}: Prometheus ${r.classification} ${r.rate_mb_per_min}, VM ${v.classification} ${v.rate_mb_per_min}`);
    }
  }
  t.diagnostic(`Prometheus (max-samples 200,000): ${JSON.stringify(viaProm.fleet.counts)} in ${viaProm.fleet.seconds} s`);
  assert.equal(viaProm.rows.length, SERIES);
  assert.deepEqual(differ, []);

  // The gate names the growers (and only them).
  const check = await runBin('leak-check', ['--prometheus', vm, '--query', 'fleet_memory_bytes', '--since', '6h', '--until', until_, '--max-rate', '0.5'], { timeoutMs: 120_000 });
  assert.equal(check.code, 1, check.stderr);
  const fails = check.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
  assert.deepEqual(fails.map((l) => l.match(/^FAIL rank=(\d+) /)?.[1]).sort(), truth.filter((x) => x.kind === 'growing').map((x) => x.labels.rank).sort());
  assert.match(check.stdout, new RegExp(`^${SERIES} series \\(.*\\): ${fails.length} fail, `, 'm'));

  // The tracker's exposition, scraped by VM itself: 25 scrapes (1 s apart) of it, read back growing at
  // about its rate. Usually there already: the fleet above takes longer than that.
  const liveQuery = 'leak_detective_process_memory_bytes{type="uss",role="main"}';
  await until(async () => {
    const res = (await (await fetch(`${vm}/api/v1/query?query=${encodeURIComponent(`count_over_time(${liveQuery}[5m])`)}`)).json()) as { data: { result: { value: [number, string] }[] } };
    return Number(res.data.result[0]?.value[1] ?? 0) >= 25;
  }, 120_000, '25 scrapes of the live tracker in VictoriaMetrics');
  t.diagnostic(`live: ${((Date.now() - liveFrom) / 1000).toFixed(0)} s after VictoriaMetrics started`);
  const live = await runBin('leak-report', ['--prometheus', vm, '--query', liveQuery, '--since', '3m', '--json'], { timeoutMs: 60_000 });
  assert.equal(live.code, 0, live.stderr);
  const row = parseFleetJson(live.stdout).rows[0]!;
  const direct = await runBin('leak-report', ['--db', path.join(dir, 'node.db'), '--json'], { timeoutMs: 60_000 });
  const tracked = (JSON.parse(direct.stdout) as { processes: { role: string; rate_mb_per_min: number }[] }).processes.find((p) => p.role === 'main')!;
  t.diagnostic(`live: read back ${row.rate_mb_per_min} MB/min from VM, tracked ${tracked.rate_mb_per_min} MB/min, allocated ${RATE}`);
  assert.equal(row.classification, 'growing', JSON.stringify(row));
  assert.equal(row.labels.rank, '5');
  assert.ok(Math.abs(row.rate_mb_per_min! - tracked.rate_mb_per_min) / tracked.rate_mb_per_min < 0.2, `${row.rate_mb_per_min} vs ${tracked.rate_mb_per_min}`);
});
