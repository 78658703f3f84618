// Benchmark: how long a census pauses the target (and takes in all) at 10 k, 1 M and 10 M live
// objects, full and cheap mode, against objgraph.show_growth() run inside the same process on the
// same heap. Targets run on Debian's /usr/bin/python3 (libpython without debug info), where
// python3-objgraph lives. Run: node dist/bench/profile-python.js [counts...]
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileReport } from '../src/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function measure(n: number): Promise<string> {
  const target = spawn('/usr/bin/python3', [path.join(ROOT, 'bench/py/heap_target.py'), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  target.stdout.setEncoding('utf8').on('data', (c) => (out += c));
  while (!/ready (\d+)/.test(out)) await new Promise((r) => setTimeout(r, 100));
  const tracked = Number(/ready (\d+)/.exec(out)![1]);
  const row: string[] = [n.toLocaleString('en-US'), tracked.toLocaleString('en-US')];
  for (const mode of ['full', 'cheap']) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli/bin/leak-profile.js'), '--pid', String(target.pid), '--snapshots', '2', '--interval', '0.1', '--mode', mode, '--timeout', '120', '--json'], { encoding: 'utf8' });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      row.push(`failed: ${r.stderr.trim().split('\n').pop()}`, '');
      continue;
    }
    const rep = JSON.parse(r.stdout) as ProfileReport;
    const pauses = rep.snapshots.map((s) => s.pause_s ?? 0);
    row.push(`${Math.max(...pauses).toFixed(2)} s`, `${(wall / 2).toFixed(2)} s`);
  }
  target.kill('SIGUSR1');
  while (!/objgraph ([\d.]+) ([\d.]+)/.test(out)) await new Promise((r) => setTimeout(r, 100));
  const [, a, b] = /objgraph ([\d.]+) ([\d.]+)/.exec(out)!;
  row.push(`${Number(a).toFixed(2)} s / ${Number(b).toFixed(2)} s`);
  target.kill('SIGKILL');
  return `| ${row.join(' | ')} |`;
}

export async function main(counts = [10_000, 1_000_000, 10_000_000]): Promise<string> {
  const lines = [
    '| objects built | GC-tracked objects | full: max pause | full: per census | cheap: max pause | cheap: per census | objgraph.show_growth() 1st / 2nd call (in-process) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const n of counts) lines.push(await measure(n));
  const text = lines.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number).concat().length ? process.argv.slice(2).map(Number) : undefined);
