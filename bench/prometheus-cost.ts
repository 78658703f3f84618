// Benchmark: what the Prometheus side costs. (1) The exporter's own work at 100 series and 1 s, timed
// in-process (tick, analysis pass, render, each with its GC), and the tracker's CPU with and without
// --prometheus on a real 100-process tree with 100 ranks, scraped every 15 s (prometheus-tracker-ab.ts);
// (2) scrape latency; (3) leak-report --prometheus reading back 64 series × 24 h at 15 s from a real
// Prometheus filled with promtool tsdb create-blocks-from openmetrics. Run: node dist/bench/prometheus-cost.js
// (PROM_COST_PARTS=work,tracker,readback picks parts; see prometheus-tracker-ab.ts for the A/B's settings).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SeriesGroups, type TickRow } from '../src/export/series-groups.js';
import { createRegistries } from '../src/export/metrics.js';
import type { SessionReport } from '../src/types.js';
import { keepYoungGenerationSmall } from '../src/track/quiet-heap.js';
import { rng } from '../src/analyze/stats.js';
import { formatAb, median, trackerAb, variantsFromEnv } from './prometheus-tracker-ab.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1048576;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** GC pauses (ms) by start time, to charge each phase of exporterWork with the collections inside it. */
function gcLog(): { pauses: { at: number; ms: number }[]; stop: () => void } {
  const pauses: { at: number; ms: number }[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ at: e.startTime, ms: e.duration });
  });
  obs.observe({ entryTypes: ['gc'] });
  return { pauses, stop: () => obs.disconnect() };
}

/**
 * In-process, with the tracker's small young generation (quiet-heap.ts): ms per tick for N processes
 * (each its own rank), per analysis pass of N full windows and per render, each with the GC pauses
 * that fell inside it.
 */
export async function exporterWork(n = 100): Promise<{ tickMs: number; analyseMs: number; renderMs: number; bytes: number; gc: { tick: number; analyse: number; render: number } }> {
  keepYoungGenerationSmall();
  const log = gcLog();
  const spans: Record<'tick' | 'analyse' | 'render', [number, number][]> = { tick: [], analyse: [], render: [] };
  const g = new SeriesGroups({ job: 'bench' });
  const procs = Array.from({ length: n }, (_, i) => ({ pid: 1000 + i, ppid: 999, start_ticks: i, name: 'python', cmdline: '', role: (i === 0 ? 'main' : 'child') as 'main' | 'child' }));
  const rows = (s: number): TickRow[] => procs.map((p, i) => ({ process: p, sample: { t_ms: s * 1000, uss: (100 + i + (i % 4 === 0 ? s / 60 : Math.sin(s / 30))) * MiB, rss: 200 * MiB, pss: 150 * MiB, swap: 0, vram: null, cpu: 1 } }));
  procs.forEach((p, i) => g.join(p, { rank: String(i), local_rank: String(i % 8), world_size: String(n) }));
  for (let s = 0; s < 720; s++) g.tick(s * 1000, rows(s)); // fill every window
  const ticks: number[] = [];
  for (let k = 0; k < 7; k++) {
    const batch = Array.from({ length: 200 }, (_, s) => rows(s)); // the tracker builds its rows anyway
    const t0 = performance.now();
    for (let s = 0; s < 200; s++) g.tick((720 + k * 200 + s) * 1000, batch[s]!);
    const t1 = performance.now();
    spans.tick.push([t0, t1]);
    ticks.push((t1 - t0) / 200);
  }
  const analyses: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    analyses.push(g.analyse()); // every window, unpaced: one full pass
    spans.analyse.push([t0, performance.now()]);
  }
  const { text } = createRegistries(g, { version: 'bench' });
  let body = '';
  const renders: number[] = [];
  for (let k = 0; k < 50; k++) {
    g.tick((2000 + k) * 1000, rows(k)); // a tick between scrapes: the memory gauges are refilled
    const t0 = performance.now();
    body = await text.metrics();
    const t1 = performance.now();
    spans.render.push([t0, t1]);
    renders.push(t1 - t0);
  }
  await new Promise((r) => setTimeout(r, 100)); // let the observer deliver
  log.stop();
  const gcIn = (sp: [number, number][], per: number) => log.pauses.filter((p) => sp.some(([a, b]) => p.at >= a && p.at <= b)).reduce((a, p) => a + p.ms, 0) / per;
  return {
    tickMs: median(ticks), analyseMs: median(analyses), renderMs: median(renders), bytes: body.length,
    gc: { tick: gcIn(spans.tick, 1400), analyse: gcIn(spans.analyse, 5), render: gcIn(spans.render, 50) },
  };
}

/** 64 series × 24 h at 15 s, shapes known, backfilled into a real Prometheus; leak-report timed end to end. */
export async function readBack(series = 64, hours = 24, stepS = 15): Promise<{ seconds: number[]; samples: number; classes: Record<string, number>; expected: Record<string, number> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-bench-readback-'));
  const points = (hours * 3600) / stepS;
  const endS = Math.floor(Date.now() / 1000) - 60;
  const lines = ['# HELP bench_memory_bytes bench', '# TYPE bench_memory_bytes gauge'];
  const expected: Record<string, number> = {};
  for (let s = 0; s < series; s++) {
    const kind = ['growing', 'cycling', 'stable', 'stable'][s % 4]!;
    expected[kind] = (expected[kind] ?? 0) + 1;
    // Noise from a seeded generator: sin(i × 12.9898) alone, once used here, is no noise but a pure
    // 14.8-sample (3.7 min) tone, a real periodic wiggle that the analysis rightly called cycling.
    const noise = rng(s + 1);
    for (let i = 0; i < points; i++) {
      const min = (i * stepS) / 60;
      const mb = 1000 + (kind === 'growing' ? (1 + (s % 7)) * min : kind === 'cycling' ? 200 * ((min % 30) / 30) : 0) + (noise() - 0.5) * 4;
      lines.push(`bench_memory_bytes{rank="${s}",node="node${s >> 3}"} ${Math.round(mb * MiB)} ${endS - (points - i) * stepS}`);
    }
  }
  lines.push('# EOF', '');
  writeFileSync(path.join(dir, 'in.om'), lines.join('\n'));
  const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'in.om'), path.join(dir, 'data')], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  writeFileSync(path.join(dir, 'p.yml'), 'global: { scrape_interval: 15s }\nscrape_configs: []\n');
  const port = await freePort();
  const prom = spawn('prometheus', [`--config.file=${path.join(dir, 'p.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', '--storage.tsdb.retention.time=30d'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 200 && !(await fetch(`http://127.0.0.1:${port}/-/ready`).then((r) => r.ok, () => false)); i++) await sleep(250);
    const seconds: number[] = [];
    let report: SessionReport | null = null;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/bin/leak-report.js'), '--prometheus', `http://127.0.0.1:${port}`, '--query', 'bench_memory_bytes', '--since', `${hours}h`, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      seconds.push((performance.now() - t0) / 1000);
      if (r.status !== 0) throw new Error(r.stderr);
      // One line per series, then the {"fleet"} summary line (docs/fleet.md).
      report = { processes: r.stdout.trim().split('\n').map((l) => JSON.parse(l) as SessionReport['processes'][number] & { fleet?: unknown }).filter((x) => !x.fleet) } as SessionReport;
    }
    const classes: Record<string, number> = {};
    for (const p of report!.processes) classes[p.classification ?? 'none'] = (classes[p.classification ?? 'none'] ?? 0) + 1;
    return { seconds, samples: report!.processes.reduce((a, p) => a + p.samples, 0), classes, expected };
  } finally {
    prom.kill('SIGTERM');
    await new Promise((r) => prom.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<string> {
  const lines: string[] = [];
  const parts = (process.env.PROM_COST_PARTS ?? 'work,tracker,readback').split(',');
  if (parts.includes('work')) {
    const w = await exporterWork(100);
    const BUDGET = 0.001; // the exporter's analysis allowance (src/export/exporter.ts)
    const refreshS = Math.max(15, w.analyseMs / (BUDGET * 1000));
    const total = w.tickMs / 10 + Math.min(BUDGET * 100, w.analyseMs / 15 / 10) + w.renderMs / 15 / 10;
    const gc = (ms: number) => (ms >= 0.005 ? ` (+${ms.toFixed(2)} GC)` : ' (no GC)');
    lines.push(
      'In-process, 100 series (one rank each), 720-point windows full, the tracker\'s 1 MB young generation (median of rounds; GC pauses inside each phase, per call, in brackets):', '',
      '| work | ms | share of one core at 1 s ticks |', '|---|---|---|',
      `| tick (fold 100 readings into series) | ${w.tickMs.toFixed(3)}${gc(w.gc.tick)} per tick | ${(w.tickMs / 10).toFixed(3)} % |`,
      `| analysis of all 100 windows (120 points each) | ${w.analyseMs.toFixed(0)}${gc(w.gc.analyse)} per pass | paced to ${(BUDGET * 100).toFixed(1)} %: each series refreshed every ${refreshS.toFixed(0)} s |`,
      `| render /metrics (${(w.bytes / 1024).toFixed(0)} KiB, classic text) | ${w.renderMs.toFixed(2)}${gc(w.gc.render)} per scrape | ${(w.renderMs / 15 / 10).toFixed(3)} % at a 15 s scrape |`,
      `| **exporter total** | | **${total.toFixed(2)} %** |`,
      '',
    );
  }
  if (parts.includes('tracker')) {
    const mode = process.env.PROM_COST_MODE === 'interleaved' ? 'interleaved' : 'concurrent';
    const t = await trackerAb(variantsFromEnv(), mode, Number(process.env.PROM_COST_ROUNDS) || 5, Number(process.env.PROM_COST_SECONDS) || 60, Number(process.env.PROM_COST_WARMUP) || 20);
    lines.push(...formatAb(t), '');
  }
  if (parts.includes('readback')) {
    const r = await readBack();
    lines.push(
      `Read-back: leak-report --prometheus --json over 64 series × 24 h at 15 s (${r.samples.toLocaleString('en-US')} samples, backfilled with promtool), end to end: ` +
        `${r.seconds.map((s) => `${s.toFixed(2)} s`).join(', ')} (3 runs). Classes: ${JSON.stringify(r.classes)}; generated: ${JSON.stringify(r.expected)}.`,
    );
  }
  const text = lines.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
