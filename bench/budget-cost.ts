// The growth budget's cost (bench/README.md §7): (a) the budget's share of a census's pause, on a
// steady heap and on one with allocator holes (mallinfo2 walks the free lists); (b) what --native-sites
// (bpftrace uprobes on malloc/calloc/realloc/free) costs the target: its throughput traced vs untraced.
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

/** Rounds per second of `kind` work, untraced for `each` s, then traced with --native-sites' program. */
async function tracedCost(kind: string, each = 6): Promise<string> {
  const child = spawn(PY, [SCRIPT, 'churn', kind, String(each * 2 + 8)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: { t: number; rounds_per_s: number }[] = [];
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) if (buf.startsWith('{')) lines.push(JSON.parse(buf.slice(0, i)));
  });
  const until = (n: number) => new Promise<void>((res) => { const t = setInterval(() => lines.length >= n && (clearInterval(t), res()), 100); });
  await until(each);
  const plain = median(lines.slice(1).map((l) => l.rounds_per_s));
  const mark = lines.length;
  const trace = await startNativeTrace(child.pid!, 120);
  if (typeof trace === 'string') return `| ${kind} | — | — | ${trace} |`;
  const attached = lines.length;
  await until(attached + each);
  const traced = median(lines.slice(attached + 1).map((l) => l.rounds_per_s));
  await trace.stop();
  child.kill();
  void mark;
  return `| ${kind} | ${plain.toFixed(0)} | ${traced.toFixed(0)} | ${(traced / plain).toFixed(2)}× |`;
}

export async function main(): Promise<string> {
  const out = ['| objects | allocator holes | census pause | budget reading | budget / rest of the pause |', '|---|---|---|---|---|'];
  for (const [n, h] of [[200_000, 0], [1_000_000, 0], [200_000, 10_000], [200_000, 50_000]] as const) out.push(censusCost(n, h));
  out.push('', '| work in the target (200 allocations a round) | rounds/s untraced | rounds/s under --native-sites | ratio |', '|---|---|---|---|');
  for (const k of ['malloc', 'small']) out.push(await tracedCost(k));
  const text = out.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
