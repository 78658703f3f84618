// Reading back series we did not write: DCGM's framebuffer (MiB), cAdvisor's working set and
// process-exporter's memory, three hours at 15 s backfilled with promtool into a real Prometheus whose
// --query.max-samples is far below one read, so the windows must be split to get every sample once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin } from '../helpers/procs.js';
import { waitUntil } from '../helpers/wait.js';
import { parseFleetJson, type FleetRow } from '../helpers/fleet-json.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-readback-'));
const STEP_S = 15;
const HOURS = 3;
const POINTS = (HOURS * 3600) / STEP_S;
let prom: ChildProcess | null = null;
let url = '';

/** Seeded noise, so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function openMetrics(endS: number): string {
  const noise = rng(12);
  const MiB = 1048576;
  const out: string[] = [];
  const family = (name: string, help: string, series: [string, (min: number) => number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, f] of series) {
      for (let i = 0; i < POINTS; i++) {
        const t = endS - (POINTS - i) * STEP_S;
        out.push(`${name}{${labels}} ${Math.round(f((i * STEP_S) / 60))} ${t}`);
      }
    }
  };
  // MiB: GPU 3 leaks 10 MiB/min, the others hold 20 GiB.
  family('DCGM_FI_DEV_FB_USED', 'Framebuffer memory used (in MiB).', [0, 1, 2, 3].map((g) => [`gpu="${g}",Hostname="node1"`, (m: number) => 20480 + (g === 3 ? 10 * m : 0) + 2 * noise()]));
  family('container_memory_working_set_bytes', 'Current working set in bytes.', [
    ['namespace="train",pod="loader-0",container="loader"', (m) => 900 * MiB + 4 * MiB * m + MiB * noise()],
    // A cache that fills to 400 MB and is dropped every 10 minutes: a sawtooth, not a leak.
    ['namespace="train",pod="cache-0",container="cache"', (m) => 600 * MiB + 40 * MiB * (m % 10) + MiB * noise()],
    ['namespace="train",pod="web-0",container="web"', (m) => 300 * MiB + MiB * noise()],
  ]);
  family('namedprocess_namegroup_memory_bytes', 'number of bytes of memory in use', [
    ['groupname="python",memtype="resident"', (m) => 2048 * MiB + 3 * MiB * m + MiB * noise()],
    ['groupname="python",memtype="proportionalResident"', (m) => 1900 * MiB + 3 * MiB * m + MiB * noise()],
  ]);
  out.push('# EOF', '');
  return out.join('\n');
}

before(async () => {
  const endS = Math.floor(Date.now() / 1000) - 30;
  writeFileSync(path.join(dir, 'in.om'), openMetrics(endS));
  const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'in.om'), path.join(dir, 'data')], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  writeFileSync(path.join(dir, 'prometheus.yml'), 'global: { scrape_interval: 15s }\nscrape_configs: []\n');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  url = `http://127.0.0.1:${port}`;
  prom = spawn('prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn', '--query.max-samples=1000', '--storage.tsdb.retention.time=30d',
  ], { stdio: 'ignore' });
  await waitUntil('Prometheus to be ready', () => fetch(`${url}/-/ready`).then((r) => r.ok, () => false), { everyMs: 250 });
});

after(async () => {
  prom?.kill('SIGTERM');
  await new Promise((r) => (prom && prom.exitCode === null ? prom.once('exit', r) : r(null)));
  rmSync(dir, { recursive: true, force: true });
});

async function report(query: string, ...extra: string[]): Promise<{ processes: FleetRow[] }> {
  const r = await runBin('leak-report', ['--prometheus', url, '--query', query, '--since', '4h', '--json', ...extra], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, r.stderr);
  return { processes: parseFleetJson(r.stdout).rows };
}

test('DCGM framebuffer (MiB): every sample read once through split windows, GPU 3 growing at 10 MB/min', async () => {
  const rep = await report('DCGM_FI_DEV_FB_USED');
  const by = new Map(rep.processes.map((p) => [p.name, p]));
  assert.deepEqual([...by.keys()].sort(), ['gpu=0', 'gpu=1', 'gpu=2', 'gpu=3']);
  for (const p of rep.processes) {
    assert.equal(p.samples, POINTS, `${p.name}: ${p.samples} samples (4 × ${POINTS} exceed --query.max-samples=1000, so the read was split)`);
    assert.equal(p.metric, 'vram');
    assert.ok(Math.abs(p.first_mb! - 20480) < 5, `${p.name} first ${p.first_mb} MB: MiB values read as MiB`);
  }
  assert.equal(by.get('gpu=3')!.classification, 'growing');
  assert.ok(Math.abs(by.get('gpu=3')!.rate_mb_per_min! - 10) < 0.5, `gpu=3 at ${by.get('gpu=3')!.rate_mb_per_min} MB/min`);
  for (const g of ['gpu=0', 'gpu=1', 'gpu=2']) assert.notEqual(by.get(g)!.classification, 'growing');
  // --unit overrides the name's unit: the same data read as KiB is 1,024 times smaller.
  const asKib = await report('DCGM_FI_DEV_FB_USED{gpu="3"}', '--unit', 'KiB');
  assert.ok(Math.abs(asKib.processes[0]!.last_mb! * 1024 - by.get('gpu=3')!.last_mb!) < 0.06 * 1024, `${asKib.processes[0]!.last_mb} MB`);
  assert.equal(asKib.processes[0]!.name, 'DCGM_FI_DEV_FB_USED', 'a single series is named by its metric');
});

test("cAdvisor's working set: the leaking container, the sawtooth cache and the steady one, told apart; leak-check gates", async () => {
  const rep = await report('container_memory_working_set_bytes{namespace="train"}');
  const by = new Map(rep.processes.map((p) => [p.name, p]));
  assert.deepEqual([...by.keys()].sort(), ['container=cache', 'container=loader', 'container=web']);
  assert.equal(by.get('container=loader')!.classification, 'growing');
  assert.ok(Math.abs(by.get('container=loader')!.rate_mb_per_min! - 4) < 0.3, JSON.stringify(by.get('container=loader')));
  assert.equal(by.get('container=cache')!.classification, 'cycling', JSON.stringify(by.get('container=cache')));
  assert.equal(by.get('container=web')!.classification, 'stable');
  assert.match(by.get('container=loader')!.cmdline, /^container_memory_working_set_bytes\{container="loader",namespace="train",pod="loader-0"\}$/);
  const check = await runBin('leak-check', ['--prometheus', url, '--query', 'container_memory_working_set_bytes', '--since', '4h', '--max-rate', '2'], { timeoutMs: 60_000 });
  assert.equal(check.code, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^FAIL container=loader 0: growing/m);
  assert.match(check.stdout, /^PASS container=cache 0: cycling/m);
  const lenient = await runBin('leak-check', ['--prometheus', url, '--query', 'container_memory_working_set_bytes', '--since', '4h', '--max-rate', '10'], { timeoutMs: 60_000 });
  assert.equal(lenient.code, 0, lenient.stdout);
});

test("process-exporter's memory by memtype, and the step mode, agree on the rate", async () => {
  const raw = await report('namedprocess_namegroup_memory_bytes{groupname="python"}');
  const by = new Map(raw.processes.map((p) => [p.name, p]));
  assert.equal(by.get('memtype=resident')!.metric, 'rss');
  assert.equal(by.get('memtype=proportionalResident')!.metric, 'pss');
  for (const p of raw.processes) assert.ok(p.classification === 'growing' && Math.abs(p.rate_mb_per_min! - 3) < 0.3, JSON.stringify(p));
  const stepped = await report('namedprocess_namegroup_memory_bytes{memtype="resident"}', '--step', '1m');
  assert.ok(stepped.processes[0]!.samples >= HOURS * 60 - 1 && stepped.processes[0]!.samples <= HOURS * 60 + 6, `${stepped.processes[0]!.samples} points at 1 m`);
  assert.ok(Math.abs(stepped.processes[0]!.rate_mb_per_min! - 3) < 0.3);
});

test('a selector that matches nothing is exit 3, one that does not parse exit 2, each one line', async () => {
  const none = await runBin('leak-report', ['--prometheus', url, '--query', 'no_such_metric_bytes', '--since', '1h']);
  assert.equal(none.code, 3, none.stderr);
  assert.match(none.stderr, /^leak-report: no series match `no_such_metric_bytes` at http:\/\/127\.0\.0\.1:\d+ in the 60 min before/);
  const bad = await runBin('leak-report', ['--prometheus', url, '--query', 'rate(x[5m]', '--since', '1h']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^leak-report: --query must be a series selector such as .* got `rate\(x\[5m\]`/);
  const server = await runBin('leak-report', ['--prometheus', url, '--query', 'x{a=~"("}', '--since', '1h']);
  assert.equal(server.code, 2, server.stderr);
  assert.match(server.stderr, /^leak-report: http:\/\/127\.0\.0\.1:\d+ rejected the series list of `x\{a=~"\("\}`: /);
  for (const r of [none, bad, server]) assert.equal(r.stderr.trim().split('\n').length, 1);
});
