// Benchmark: what one tracker tick costs per process, against the raw smaps_rollup read (the floor),
// psutil's memory_full_info() (what psrecord-style tools pay) and smem; and the tracker's own CPU
// for 1, 10 and 100 processes at a 1 s interval. Run: node dist/bench/track-cost.js
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readSmapsRollup } from '../src/track/smaps-rollup.js';
import { readRssBytes } from '../src/track/proc-stat.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PY = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function perCall(fn: () => void, n: number): number {
  for (let i = 0; i < 5; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

/** The floor: one open fd, pread at offset 0 (the kernel regenerates the file), no parsing. */
function rawRead(pid: number, n: number): number {
  const fd = openSync(`/proc/${pid}/smaps_rollup`, 'r');
  const buf = Buffer.allocUnsafe(4096);
  try {
    return perCall(() => readSync(fd, buf, 0, 4096, 0), n);
  } finally {
    closeSync(fd);
  }
}

/**
 * psutil in one long-lived Python process driven over stdin, so its rounds interleave with ours: the
 * page-table walk's cost drifts with the target's state and the CPU's clock, and rounds taken minutes
 * apart would compare the drift, not the tools.
 */
class PsutilPeer {
  private readonly proc: ChildProcess;
  private buffered = '';
  private waiting: ((line: string) => void) | null = null;

  constructor(pid: number) {
    this.proc = spawn('/usr/bin/python3', ['-u', '-c', `
import psutil, sys, time
p = psutil.Process(${pid})
for _ in range(3): p.memory_full_info()
for line in sys.stdin:
    n = int(line)
    t = time.perf_counter()
    for _ in range(n): p.memory_full_info()
    print((time.perf_counter() - t) / n * 1000, flush=True)`], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.buffered += d;
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0 && this.waiting) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const w = this.waiting;
        this.waiting = null;
        w(line);
      }
    });
  }

  /** ms per memory_full_info() over n calls, or null if psutil is missing. */
  perCall(n: number): Promise<number | null> {
    if (this.proc.exitCode !== null) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = (line) => resolve(Number(line));
      this.proc.once('exit', () => resolve(null));
      this.proc.stdin!.write(`${n}\n`);
    });
  }

  close(): void {
    this.proc.stdin!.end();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function smemCall(pid: number, n: number): number | null {
  if (spawnSync('smem', ['--version']).error) return null;
  const t0 = performance.now();
  // -P filters by command line: the target's is unique (--lifetime 600), so smem reads only its smaps
  for (let i = 0; i < n; i++) spawnSync('smem', ['-H', '-c', 'pid uss', '-P', 'lifetime 600'], { encoding: 'utf8' });
  return (performance.now() - t0) / n;
}

async function startTarget(baseMb: number): Promise<ChildProcess> {
  const p = spawn(PY, [path.join(ROOT, 'fixtures/programs/leaker.py'), '--rate', '0', '--base', String(baseMb), '--lifetime', '600'], { stdio: 'ignore' });
  for (let i = 0; i < 600; i++) {
    const rss = readRssBytes(p.pid!) ?? 0;
    if (rss > baseMb * 1048576 * 0.95) break;
    await sleep(100);
  }
  return p;
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function trackerCpu(workers: number, seconds: number, intervalS = 1): Promise<number> {
  const tree = spawn(PY, [path.join(ROOT, 'fixtures/programs/tree.py'), '--workers', String(workers), '--leak-rate', '0', '--lifetime', String(seconds + 20)], { stdio: 'ignore' });
  await sleep(3000 + workers * 30);
  const db = path.join(mkdtempSync(path.join(tmpdir(), 'ld-bench-')), 'b.db');
  const tr = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli/bin/leak-track.js'), String(tree.pid), String(seconds + 5) + 's', String(intervalS), '--db', db, '--quiet'], { stdio: 'ignore' });
  await sleep(2000); // start-up (module loading) is not the steady-state cost
  const c0 = cpuTicks(tr.pid!);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const c1 = cpuTicks(tr.pid!);
  const pct = ((c1 - c0) / 100 / ((Date.now() - t0) / 1000)) * 100;
  tr.kill('SIGTERM');
  tree.kill('SIGTERM');
  await sleep(500);
  return pct;
}

/**
 * A busy machine: 2,000 unrelated processes. Finding new children means reading every process's stat,
 * so the tracker times that scan and, past 0.5 % of the interval, looks for children every k-th tick.
 */
export async function busyMachine(extra = 2000): Promise<string> {
  const before = (await import('node:fs')).readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
  const crowd: ChildProcess[] = [];
  for (let i = 0; i < extra; i++) crowd.push(spawn('sleep', ['120'], { stdio: 'ignore' }));
  await sleep(3000);
  const pct = await trackerCpu(4, 20, 0.2);
  for (const c of crowd) c.kill('SIGKILL');
  await sleep(500);
  return `On a machine with ${before + extra} processes (${before} + ${extra.toLocaleString('en-US')} sleeping), tracking a 5-process tree every 0.2 s: tracker CPU ${pct.toFixed(2)} %.`;
}

export async function main(): Promise<string> {
  const lines: string[] = [];
  lines.push('Per-tick cost per process (ms per read; lower is better):', '');
  lines.push('| target RSS | RSS tick (statm) | USS tick (ours: open+read+parse) | raw smaps_rollup pread (floor) | ours / floor | psutil memory_full_info | smem -P (per call) |', '|---|---|---|---|---|---|---|');
  for (const mb of [100, 4096]) {
    const p = await startTarget(mb);
    const pid = p.pid!;
    const n = mb > 1000 ? 20 : 300;
    const rss = perCall(() => readRssBytes(pid), 2000);
    // Seven interleaved rounds of ours / floor / psutil; medians per tool.
    const peer = new PsutilPeer(pid);
    const ours: number[] = [], floor: number[] = [], psu: number[] = [];
    for (let round = 0; round < 7; round++) {
      ours.push(perCall(() => readSmapsRollup(pid), n));
      floor.push(rawRead(pid, n));
      const t = await peer.perCall(n);
      if (t !== null) psu.push(t);
    }
    peer.close();
    const uss = median(ours), raw = median(floor), ps = psu.length ? median(psu) : null;
    const sm = smemCall(pid, 3);
    lines.push(`| ${mb} MB | ${rss.toFixed(3)} | ${uss.toFixed(3)} | ${raw.toFixed(3)} | ${(uss / raw).toFixed(2)}× | ${ps === null ? 'n/a' : `${ps.toFixed(3)} (${(ps / uss).toFixed(2)}× ours)`} | ${sm === null ? 'n/a' : `${sm.toFixed(0)} (${(sm / uss).toFixed(0)}× ours)`} |`);
    p.kill();
  }
  lines.push('', "The tracker's own CPU at a 1 s interval (process tree of N, steady state, % of one core):", '', '| processes tracked | tracker CPU |', '|---|---|');
  for (const w of [0, 9, 99]) lines.push(`| ${w + 1} | ${(await trackerCpu(w, 20)).toFixed(2)} % |`);
  lines.push('', await busyMachine());
  const text = lines.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
