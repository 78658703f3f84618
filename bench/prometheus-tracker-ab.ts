// The tracker's CPU with and without --prometheus, on a real tree of 101 processes (100 ranks, each its
// own series) at 1 s, scraped every 15 s when exporting. The machine this runs on is shared, so two
// layouts: `interleaved` runs the variants one after another (off, on, off, on, …; what a user sees,
// but each round meets different neighbours) and `concurrent` runs every variant at once on the same
// tree for the same window, so each round's differences are paired against the same load. A variant
// may come from another build (PROM_COST_BASE=/path/with/dist: the tree before a change), which puts
// the before/after A/B in one run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PY = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** One way of running the tracker: which build, exporting or not. */
export interface Variant {
  name: string;
  root: string;
  exporting: boolean;
}

export interface AbResult {
  mode: 'interleaved' | 'concurrent';
  seconds: number;
  warmupS: number;
  /** Tracker CPU % of one core per round, by variant name. */
  cpu: Record<string, number[]>;
  /** Scrape latencies (ms) of 60 scrapes 250 ms apart after each round, by exporting variant. */
  scrapes: Record<string, number[]>;
  /** 1-minute load average at the start of each round. */
  load: number[];
}

/**
 * The variants this run compares: off and on with this build, on with PROM_COST_BASE's build when
 * given, and any PROM_COST_MORE=name=/root,name=/root (e.g. builds with other constants).
 */
export function variantsFromEnv(): Variant[] {
  const v: Variant[] = [{ name: 'off', root: ROOT, exporting: false }, { name: 'on', root: ROOT, exporting: true }];
  if (process.env.PROM_COST_BASE) v.push({ name: 'on (before)', root: path.resolve(process.env.PROM_COST_BASE), exporting: true });
  for (const spec of (process.env.PROM_COST_MORE ?? '').split(',').filter(Boolean)) {
    const [name, root] = spec.split('=');
    v.push({ name: name!, root: path.resolve(root!), exporting: true });
  }
  return v;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function cpuTicks(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

interface Running {
  v: Variant;
  tr: ChildProcess;
  port: number;
  dir: string;
}

async function startTracker(v: Variant, rootPid: number, seconds: number): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-bench-prom-'));
  const port = await freePort();
  const args = [path.join(v.root, 'dist/src/cli/bin/leak-track.js'), String(rootPid), `${seconds + 120}s`, '1', '--db', path.join(dir, 'b.db'), '--quiet'];
  if (v.exporting) args.push('--prometheus', `127.0.0.1:${port}`);
  return { v, tr: spawn(process.execPath, args, { stdio: 'ignore' }), port, dir };
}

const scrape = (port: number) => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text().then(() => r.ok), () => false);

/**
 * One round: start the given trackers together, let them warm up (start-up, the first analyses,
 * the JIT compiling them: 20 s by default; PROM_COST_WARMUP=120 measures the steady state instead), measure their CPU over `seconds` while scraping the exporting ones every 15 s, then time
 * 60 scrapes 250 ms apart of each exporting one.
 */
async function round(vs: Variant[], rootPid: number, seconds: number, out: AbResult): Promise<void> {
  const run = await Promise.all(vs.map((v) => startTracker(v, rootPid, out.warmupS + seconds)));
  try {
    await sleep(out.warmupS * 1000);
    out.load.push(loadavg()[0]!);
    let stop = false;
    const scraper = (async () => {
      while (!stop) {
        await Promise.all(run.filter((r) => r.v.exporting).map((r) => scrape(r.port)));
        for (let k = 0; k < 60 && !stop; k++) await sleep(250);
      }
    })();
    const c0 = run.map((r) => cpuTicks(r.tr.pid!));
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const wall = (Date.now() - t0) / 1000;
    run.forEach((r, i) => (out.cpu[r.v.name] ??= []).push(((cpuTicks(r.tr.pid!) - c0[i]!) / 100 / wall) * 100));
    stop = true;
    await scraper;
    for (const r of run.filter((x) => x.v.exporting)) {
      const lat = (out.scrapes[r.v.name] ??= []);
      for (let k = 0; k < 60; k++) {
        const t1 = performance.now();
        if (await scrape(r.port)) lat.push(performance.now() - t1);
        await sleep(250);
      }
    }
  } finally {
    for (const r of run) {
      r.tr.kill('SIGTERM');
      await new Promise((res) => (r.tr.exitCode !== null ? res(null) : r.tr.once('exit', res)));
      rmSync(r.dir, { recursive: true, force: true });
    }
  }
}

/** The A/B: `rounds` rounds of `seconds` each, in the given layout; the variants' order rotates per round. */
export async function trackerAb(vs: Variant[], mode: 'interleaved' | 'concurrent', rounds: number, seconds: number, warmupS = 20): Promise<AbResult> {
  const perRound = (mode === 'concurrent' ? 1 : vs.length) * (warmupS + seconds + 20 * vs.length);
  const tree: ChildProcess = spawn(PY, [path.join(ROOT, 'bench/py/ranked_tree.py'), '100', String(rounds * perRound + 120)], { stdio: 'ignore' });
  await sleep(5000);
  const out: AbResult = { mode, seconds, warmupS, cpu: {}, scrapes: {}, load: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      const order = vs.map((_, i) => vs[(i + r) % vs.length]!);
      if (mode === 'concurrent') await round(order, tree.pid!, seconds, out);
      else for (const v of order) await round([v], tree.pid!, seconds, out);
    }
  } finally {
    tree.kill('SIGTERM');
  }
  return out;
}

/** The A/B as markdown: per-round CPU, medians, the spread, the added cost per exporting variant, scrapes and load. */
export function formatAb(r: AbResult): string[] {
  const names = Object.keys(r.cpu);
  const lines = [
    `The tracker on a real tree of 101 processes (100 ranks), 1 s interval, ${r.cpu[names[0]!]!.length} rounds of ${r.seconds} s after ${r.warmupS} s of warm-up, ${r.mode}` +
      `${r.mode === 'concurrent' ? ' (every variant at once on the same tree, paired per round)' : ' (one after another, order rotating)'}, scraped every 15 s when on:`, '',
    '| variant | tracker CPU per round | median | range |', '|---|---|---|---|',
    ...names.map((n) => {
      const xs = r.cpu[n]!;
      return `| ${n} | ${xs.map((x) => `${x.toFixed(2)} %`).join(', ')} | ${median(xs).toFixed(2)} % | ${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} % |`;
    }),
    '',
  ];
  const off = r.cpu.off ?? [];
  for (const n of names.filter((x) => x !== 'off')) {
    const xs = r.cpu[n]!;
    const paired = xs.map((x, i) => x - off[i]!);
    lines.push(
      `Added by \`${n}\`: **${(median(xs) - median(off)).toFixed(2)} %** of one core (median on − median off)` +
        `; per-round differences ${paired.map((x) => x.toFixed(2)).join(', ')} (median ${median(paired).toFixed(2)} %).`,
    );
  }
  for (const [n, s] of Object.entries(r.scrapes)) {
    if (s.length) lines.push(`Scrape latency over HTTP, \`${n}\` (${s.length} scrapes 250 ms apart, 100 series): median ${median(s).toFixed(2)} ms, p99 ${pct(s, 0.99).toFixed(2)} ms, max ${Math.max(...s).toFixed(2)} ms.`);
  }
  lines.push(`Load average (1 min) at the rounds' starts: ${r.load.map((x) => x.toFixed(1)).join(', ')} on ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores.`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mode = process.env.PROM_COST_MODE === 'interleaved' ? 'interleaved' : 'concurrent';
  const r = await trackerAb(variantsFromEnv(), mode, Number(process.env.PROM_COST_ROUNDS) || 5, Number(process.env.PROM_COST_SECONDS) || 60, Number(process.env.PROM_COST_WARMUP) || 20);
  console.log(formatAb(r).join('\n'));
}
