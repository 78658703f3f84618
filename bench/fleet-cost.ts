// Benchmark: a fleet read back from a real VictoriaMetrics (Debian 1.79) or Prometheus (Debian 2.42),
// on loopback with a temp data dir: 100, 1,000 and 10,000 series × 24 h at 15 s (generated with truth:
// test/helpers/fleet-generator.ts), leak-report --prometheus --json end to end: wall, CPU (user+sys),
// peak RSS, the server's CPU during the read, the share of the wall spent reading (export, parse,
// buckets) vs judging; beside it what a user does today in the same store: deriv(x[1h]) > 0.5 MB/min and
// predict_linear(x[6h], 24h) − x > 720 MB (0.5 MB/min for a day), evaluated every 15 min over the day as
// an alert rule would be: their time and how many sawtooth/cycling/plateau/stable series each fires for.
// Run: node dist/bench/fleet-cost.js [vm|prometheus] [sizes, default 100,1000,10000]; FLEET_WORKERS=0
// judges inline. Prometheus gets one promtool backfill of every size (10,000 series: a 5 GB OpenMetrics
// file, ~9 min). To time reads again on a store already loaded by an earlier run: FLEET_URL=http://…
// FLEET_END_MS=<its last sample, epoch ms> [FLEET_SERVER_PID=<pid>] node dist/bench/fleet-cost.js ….
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { loadavg, tmpdir, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importFleet, openMetricsOf, truthOf, type FleetSeriesTruth } from '../test/helpers/fleet-generator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MiB = 1048576;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

interface Run { wall: number; cpu: number; rssMb: number; serverCpu: number | null; readShare: number; counts: Record<string, number>; wrong: number; via: string; load: string }

/** CPU seconds a process has used (user + sys), or null when unknown. */
function cpuOf(pid: number | null): number | null {
  if (pid === null) return null;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** leak-report over `metric`, under /usr/bin/time: wall, CPU, peak RSS, and the verdicts against the truth. */
function readBack(vm: string, metric: string, untilS: number, truth: FleetSeriesTruth[], serverPid: number | null, extra: string[] = []): Run {
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  const server0 = cpuOf(serverPid);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, path.join(ROOT, 'dist/src/cli/bin/leak-report.js'),
    '--prometheus', vm, '--query', metric, '--since', '24h', '--until', String(untilS), '--json', '--timeout', '30m', ...extra], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const server1 = cpuOf(serverPid);
  const [wall, user, sys, rss] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number, number];
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { labels?: Record<string, string>; classification?: string; fleet?: { counts: Record<string, number>; seconds: number; read_seconds: number; via: string } });
  const fleet = lines.pop()!.fleet!;
  const byRank = new Map(truth.map((t) => [t.labels.rank, t]));
  let wrong = 0;
  for (const l of lines) {
    const t = byRank.get(l.labels!.rank)!;
    if ((t.kind === 'growing') !== (l.classification === 'growing')) wrong++;
  }
  return { wall, cpu: user + sys, rssMb: rss / 1024, serverCpu: server0 === null ? null : server1! - server0, readShare: fleet.read_seconds / fleet.seconds, counts: fleet.counts, wrong, via: fleet.via, load };
}

/**
 * An alert condition evaluated as a rule would be, every 15 min over the last 18 h of the day (the
 * windows full): its time, and the series it fires for at least once, by the truth's kind.
 */
async function promql(vm: string, q: string, atS: number, truth: FleetSeriesTruth[]): Promise<{ ms: number; flagged: Record<string, number> }> {
  const t0 = performance.now();
  const res = await fetch(`${vm}/api/v1/query_range`, { method: 'POST', body: new URLSearchParams({ query: q, start: String(atS - 18 * 3600), end: String(atS), step: '900' }) });
  const body = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
  const ms = performance.now() - t0;
  const byRank = new Map(truth.map((t) => [t.labels.rank, t]));
  const flagged: Record<string, number> = {};
  for (const s of body.data.result) {
    const k = byRank.get(s.metric.rank!)!.kind;
    flagged[k] = (flagged[k] ?? 0) + 1;
  }
  return { ms, flagged };
}

interface Store {
  url: string;
  endMs: number;
  pid: number | null;
  stop: () => Promise<void>;
}

/** A VictoriaMetrics holding bench<n>_bytes for every size (imported). */
async function victoria(sizes: number[], endMs: number): Promise<Store> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-bench-fleet-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn('victoria-metrics', [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=10y', '-loggerLevel=ERROR'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await fetch(`${url}/health`).then((r) => r.ok, () => false)); i++) await sleep(100);
  for (const n of sizes) await importFleet(url, { series: n, hours: 24, stepS: 15, endMs, metric: `bench${n}_bytes` });
  return { url, endMs, pid: proc.pid!, stop: () => stop(proc, dir) };
}

/** A Prometheus holding bench<n>_bytes for every size (one promtool backfill of them all). */
async function prometheus(sizes: number[], endMs: number): Promise<Store> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-bench-fleet-prom-'));
  const om = createWriteStream(path.join(dir, 'in.om'));
  for (const n of sizes) {
    for (const chunk of openMetricsOf({ series: n, hours: 24, stepS: 15, endMs, metric: `bench${n}_bytes` })) {
      if (chunk !== '# EOF\n' && !om.write(chunk)) await once(om, 'drain');
    }
  }
  om.end('# EOF\n');
  await once(om, 'finish');
  const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', path.join(dir, 'in.om'), path.join(dir, 'data')], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  rmSync(path.join(dir, 'in.om'));
  writeFileSync(path.join(dir, 'p.yml'), 'global: { scrape_interval: 15s }\nscrape_configs: []\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn('prometheus', [`--config.file=${path.join(dir, 'p.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', '--storage.tsdb.retention.time=10y'], { stdio: 'ignore' });
  for (let i = 0; i < 600 && !(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)); i++) await sleep(250);
  return { url, endMs, pid: proc.pid!, stop: () => stop(proc, dir) };
}

async function stop(proc: ChildProcess, dir: string): Promise<void> {
  proc.kill('SIGTERM');
  if (proc.exitCode === null) await once(proc, 'exit');
  rmSync(dir, { recursive: true, force: true });
}

export async function main(server: 'vm' | 'prometheus' = 'vm', sizes = [100, 1000, 10000]): Promise<string> {
  const reuse = process.env.FLEET_URL;
  const endMs = reuse ? Number(process.env.FLEET_END_MS) : Math.floor(Date.now() / 15_000) * 15_000 - 60_000;
  const store: Store = reuse
    ? { url: reuse, endMs, pid: process.env.FLEET_SERVER_PID ? Number(process.env.FLEET_SERVER_PID) : null, stop: async () => {} }
    : await (server === 'vm' ? victoria : prometheus)(sizes, endMs);
  const out: string[] = [];
  try {
    const untilS = Math.floor(endMs / 1000) + 1;
    const name = server === 'vm' ? 'VictoriaMetrics 1.79' : 'Prometheus 2.42';
    out.push(`${name} on loopback, ${cpus().length} cores; 24 h at 15 s per series; load average (1/5/15 min) at the start of each run in the last column.`, '',
      '| series | samples | wall s | CPU s | server CPU s | peak RSS MB | reading share | wrong growing/not | leak-report classes | load |', '|---|---|---|---|---|---|---|---|---|---|');
    const baselines: string[] = [];
    for (const n of sizes) {
      const metric = `bench${n}_bytes`;
      const truth = Array.from({ length: n }, (_, i) => truthOf(i, metric));
      const r = readBack(store.url, metric, untilS, truth, store.pid, process.env.FLEET_WORKERS ? ['--workers', process.env.FLEET_WORKERS] : []);
      out.push(`| ${n.toLocaleString('en-US')} | ${(n * 5760).toLocaleString('en-US')} | ${r.wall.toFixed(1)} | ${r.cpu.toFixed(1)} | ${r.serverCpu?.toFixed(1) ?? '?'} | ${r.rssMb.toFixed(0)} | ${(100 * r.readShare).toFixed(0)} % | ${r.wrong} | ${JSON.stringify(r.counts)} | ${r.load} |`);
      console.error(out[out.length - 1]);
      const d = await promql(store.url, `deriv(${metric}[1h]) > ${0.5 * MiB / 60}`, untilS, truth);
      const p = await promql(store.url, `predict_linear(${metric}[6h], 86400) - ${metric} > ${720 * MiB}`, untilS, truth);
      const kinds = ['growing', 'sawtooth', 'cycling', 'plateau', 'stable'];
      const truthCounts = Object.fromEntries(kinds.map((k) => [k, truth.filter((t) => t.kind === k).length]));
      for (const [q, x] of [['deriv(x[1h]) > 0.5 MB/min', d], ['predict_linear(x[6h], 24h) − x > 720 MB', p]] as const) {
        baselines.push(`| ${n.toLocaleString('en-US')} | \`${q}\` | ${(x.ms / 1000).toFixed(2)} | ${kinds.map((k) => `${x.flagged[k] ?? 0}/${truthCounts[k]}`).join(' | ')} |`);
      }
    }
    out.push('', `What a user does today, in the same store: the alert condition evaluated every 15 min over the last 18 h (series it fires for at least once / series of that kind), and the time of that one query_range:`, '',
      '| series | PromQL | s | growing | sawtooth | cycling | plateau | stable |', '|---|---|---|---|---|---|---|---|', ...baselines);
  } finally {
    await store.stop();
  }
  const text = out.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = process.argv[2] === 'prometheus' ? 'prometheus' : 'vm';
  const sizes = process.argv.slice(2).find((a) => /^[\d,]+$/.test(a));
  await main(server, sizes ? sizes.split(',').map(Number) : undefined);
}
