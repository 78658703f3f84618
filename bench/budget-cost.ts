// The growth budget's cost (bench/README.md §7): (a) the budget's share of a census's pause, on a
// steady heap and on one with allocator holes (mallinfo2 walks the free lists); (b) what --native-sites
// (bpftrace uprobes on malloc/calloc/realloc/free) costs the target and a bystander process using the same
// libc: throughput untraced, traced and after, attach and stop times, and whether the target ever stalls.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { censusPayload } from '../src/profile/python/census-payload.js';
import { startNativeTrace } from '../src/profile/native/trace-native.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.resolve(HERE, '../../bench/py/budget_cost.py');
const PY = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim() || 'python3';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function censusCost(objects: number, holes: number): string {
  const payload = '/tmp/budget-bench-payload.py';
  writeFileSync(payload, censusPayload());
  const r = spawnSync(PY, [SCRIPT, 'census', payload, String(objects), String(holes)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const runs = JSON.parse(r.stdout.trim().split('\n').pop()!) as [number, number][];
  const pause = median(runs.map((x) => x[0])), budget = median(runs.map((x) => x[1]));
  return `| ${objects.toLocaleString('en-US')} | ${holes.toLocaleString('en-US')} | ${(pause * 1000).toFixed(0)} ms | ${(budget * 1000).toFixed(2)} ms | ${((100 * budget) / (pause - budget)).toFixed(1)} % |`;
}

interface Churn {
  pid: number;
  /** t: the process's own clock (s since it started); at: when this bench read the line (ms). */
  lines: { t: number; rounds_per_s: number; at: number }[];
  kill(): void;
}

/** A churn process printing its rounds per second once a second (arrival times kept: a stall shows as a gap). */
function churn(kind: string, seconds: number): Churn {
  const child = spawn(PY, [SCRIPT, 'churn', kind, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Churn['lines'] = [];
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) if (buf.startsWith('{')) lines.push({ ...(JSON.parse(buf.slice(0, i)) as { t: number; rounds_per_s: number }), at: Date.now() });
  });
  return { pid: child.pid!, lines, kill: () => child.kill() };
}

const until = (ok: () => boolean) => new Promise<void>((res) => { const t = setInterval(() => ok() && (clearInterval(t), res()), 100); });
const rate = (c: Churn, from: number, to: number) => median(c.lines.filter((l) => l.at > from && l.at <= to).map((l) => l.rounds_per_s));
/** The longest time between two of a process's once-a-second lines by its own clock, over lines read from `from` to `to`. */
const longestGap = (c: Churn, from: number, to: number) => Math.max(...c.lines.filter((l) => l.at > from && l.at <= to).map((l, i, a) => (i ? l.t - a[i - 1]!.t : 0)));

/**
 * `kind` work in a target and in a bystander (another process using the same libc, not traced): rounds
 * per second untraced, while --native-sites' program is attached, and after; how long attaching and
 * stopping (bpftrace printing its maps) took; the longest gap between the target's once-a-second lines
 * from attach to stop (a gap well over 1 s would be the target stopped, not slowed).
 */
async function tracedCost(kind: string, each = 6): Promise<string> {
  const target = churn(kind, 600), bystander = churn(kind, 600); // killed when done
  try {
    await until(() => target.lines.length >= each && bystander.lines.length >= each);
    // This process's own event loop, every 50 ms: a stall of the whole machine's libc users shows here too.
    let last = Date.now(), stall = 0;
    const beat = setInterval(() => ((stall = Math.max(stall, Date.now() - last)), (last = Date.now())), 50);
    const t0 = Date.now();
    const trace = await startNativeTrace(target.pid, 120);
    if (typeof trace === 'string') return `| ${kind} | — | — | — | — | ${trace} |`;
    const t1 = Date.now();
    await until(() => target.lines.filter((l) => l.at > t1 + 1500).length >= each);
    const t2 = Date.now();
    await trace.stop();
    const t3 = Date.now();
    clearInterval(beat);
    await until(() => target.lines.filter((l) => l.at > t3 + 1500).length >= 3);
    const cell = (c: Churn) => `${rate(c, 0, t0).toFixed(0)} → ${rate(c, t1 + 1500, t2).toFixed(0)} (${(rate(c, t1 + 1500, t2) / rate(c, 0, t0)).toFixed(3)}×) → ${rate(c, t3 + 1500, Date.now()).toFixed(0)}`;
    const gaps = `${longestGap(target, t0, t3 + 1500).toFixed(1)} / ${longestGap(bystander, t0, t3 + 1500).toFixed(1)} / ${(stall / 1000).toFixed(1)} s`;
    return `| ${kind} | ${cell(target)} | ${cell(bystander)} | ${((t1 - t0) / 1000).toFixed(1)} s | ${((t3 - t2) / 1000).toFixed(1)} s | ${gaps} |`;
  } finally {
    target.kill();
    bystander.kill();
  }
}

export async function main(): Promise<string> {
  const out = ['| objects | allocator holes | census pause | budget reading | budget / rest of the pause |', '|---|---|---|---|---|'];
  // BUDGET_BENCH=native: the --native-sites part alone.
  if (process.env.BUDGET_BENCH !== 'native') for (const [n, h] of [[200_000, 0], [1_000_000, 0], [200_000, 10_000], [200_000, 50_000]] as const) out.push(censusCost(n, h));
  out.push('', '| work (200 allocations a round) | target rounds/s: untraced → traced (ratio) → after | bystander, not traced: same | attach | stop | longest gap between once-a-second lines: target / bystander / this bench\'s event loop |', '|---|---|---|---|---|---|');
  for (const k of ['malloc', 'small']) out.push(await tracedCost(k));
  const text = out.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
