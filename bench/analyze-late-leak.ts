// A leak that starts after a start-up the shape models cannot follow (docs/explain.md "A leak that starts
// late"), and the no-leak shapes the fix in classifyTrend must leave alone: class counts per shape on
// generated series (seeded), optionally against another build of the analysis (`--against DIR`, a
// compiled tree with src/analyze/index.js: every verdict that differs is counted and the new "growing"
// ones on no-leak shapes listed). Usage: node dist/bench/analyze-late-leak.js [--against /tmp/old/dist]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeSeries } from '../src/analyze/index.js';

type Analyze = typeof analyzeSeries;
// After those (so that their series stay the same): a 75 MB/min leak giving back 6 % of its rise once
// at half-time, a flat sawtooth seen for one release (100 MB built up over 0.6 of the window), and the
// same over a 20 MB/min leak (src/analyze/level-shift.ts).
type Shape = (typeof SHAPES)[number];
const SHAPES = ['flat', 'step', 'warmup', 'warmup-slow', 'cache-fill', 'import-flat', 'import-late-flat', 'import-leak', 'leak-shift', 'cycle-1', 'leak-cycle-1'] as const;
const LEAKS: readonly Shape[] = ['import-leak', 'leak-shift', 'leak-cycle-1'];

/** One series: 100 MB plus the shape, plus AR(1) noise of sd `noise` and lag-1 `phi` (seeded LCG). */
function series(shape: Shape, n: number, dt: number, noise: number, phi: number, rnd: () => number): { t_s: number[]; mb: number[] } {
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const t_s: number[] = [];
  const mb: number[] = [];
  const T = n * dt;
  const sig = (x: number, at: number, w: number) => 110 / (1 + Math.exp(-(x - at * T) / (w * T))); // an import: S-shaped
  let e = 0;
  for (let i = 0; i < n; i++) {
    const x = i * dt;
    e = phi * e + Math.sqrt(1 - phi * phi) * gauss() * noise;
    let v = 100;
    if (shape === 'import-flat') v += sig(x, 0.2, 0.04);
    if (shape === 'import-late-flat') v += sig(x, 0.45, 0.05);
    if (shape === 'warmup') v += 80 * (1 - Math.exp(-x / (0.15 * T)));
    if (shape === 'warmup-slow') v += 80 * (1 - Math.exp(-x / (0.4 * T)));
    if (shape === 'cache-fill') v += (Math.min(x, 0.5 * T) * 60) / T;
    if (shape === 'step') v += x > 0.6 * T ? 50 : 0;
    if (shape === 'import-leak') v += sig(x, 0.2, 0.04) + (Math.max(0, x - 0.32 * T) * 75) / 60; // 75 MB/min after it
    if (shape === 'leak-shift') v += (75 * x) / 60 - (x >= 0.5 * T ? (0.06 * 75 * T) / 60 : 0);
    if (shape === 'cycle-1' || shape === 'leak-cycle-1') v += (100 * (x % (0.6 * T))) / (0.6 * T) + (shape === 'leak-cycle-1' ? (20 * x) / 60 : 0);
    t_s.push(x);
    mb.push(v + e);
  }
  return { t_s, mb };
}

export async function main(args = process.argv.slice(2)): Promise<string> {
  const i = args.indexOf('--against');
  const other: Analyze | null = i >= 0 ? ((await import(pathToFileURL(path.resolve(args[i + 1]!, 'src/analyze/index.js')).href)) as { analyzeSeries: Analyze }).analyzeSeries : null;
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = [`| shape | series | classes |${other ? ' differ from --against |' : ''}`, `|---|---|---|${other ? '---|' : ''}`];
  const listed: string[] = [];
  for (const shape of SHAPES) {
    const counts: Record<string, number> = {};
    let n = 0, differ = 0;
    for (const [len, dt] of [[30, 0.5], [60, 0.5], [90, 0.5], [150, 2], [300, 1]] as const)
      for (const noise of [0.2, 1, 3]) for (const phi of [0, 0.7, 0.95]) for (let rep = 0; rep < 4; rep++) {
        const s = series(shape, len, dt, noise, phi, rnd);
        const a = analyzeSeries(s);
        counts[a.classification] = (counts[a.classification] ?? 0) + 1;
        n++;
        if (!other) continue;
        const b = other(s);
        if (b.classification === a.classification) continue;
        differ++;
        if (a.classification === 'growing' && !LEAKS.includes(shape)) listed.push(`${shape} n=${len} dt=${dt} σ=${noise} φ=${phi}: ${b.classification} → growing ${a.rate_mb_per_min?.toFixed(1)}`);
      }
    const cls = Object.entries(counts).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push(`| ${shape} | ${n} | ${cls} |${other ? ` ${differ} |` : ''}`);
  }
  const out = [...lines, ...(other ? ['', `no-leak series that turned growing: ${listed.length ? listed.join('; ') : 'none'}`] : [])].join('\n');
  console.log(out);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
