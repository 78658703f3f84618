// Benchmark: our streaming parse + aggregate + diff + dominator tree (retained sizes, folding, holder
// clusters) against memlab on generated Node heap snapshots, wall time and peak RSS (/usr/bin/time -v),
// side by side on the same files.
//
// Run: node dist/bench/profile-node.js [MB...] [--strings[=MB]] [--no-memlab] [--baseline=DIR] [--out=DIR]
//   MB...           object-heavy sets to generate (≈ the last file's size), default 100 300
//   --strings=MB    also a strings-heavy set (1 KB unique strings)
//   --no-memlab     ours only (memlab takes minutes per set on a loaded box)
//   --baseline=DIR  also time another build of leak-profile (DIR/dist/src/cli/bin/leak-profile.js) on the
//                   same files, back to back: before/after
//   --out=DIR       where snapshots are written and reused (default bench/out); delete them when done
// Goals (issue 11): parse + analysis ≥ 150 MB/s; peak RSS ≤ 1.6× the largest file (object-heavy), ≤ 0.5×
// (strings-heavy). MB/s = all three files' MB / wall s. CPU s (user + sys) is printed too: on a shared box
// it moves less than wall time; the load average is printed beside each set.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const OUT = path.resolve(arg('out') ?? path.join(ROOT, 'bench/out'));
// memlab is installed apart (npm run bench:peers) so that npm ci for the tests does not pull ~300 packages.
// Its bin's shebang (`#!/usr/bin/env node --expose-gc …`) needs `env -S`; GNU env 9 passes the line as one
// program name and never runs memlab, so the bench runs its script with node and those flags itself.
const MEMLAB_JS = path.join(ROOT, 'bench/peers/node_modules/@memlab/cli/bin/memlab.js');
const memlab = (args: string[]) => timed(process.execPath, ['--expose-gc', MEMLAB_JS, ...args]);
const ours = (root: string, files: string[]) => timed(process.execPath, [path.join(root, 'dist/src/cli/bin/leak-profile.js'), '--snapshot', ...files, '--top', '3']);

/** Write three snapshots of a process whose cache of `LeakyRecord`s grows; `mb` ≈ the last file's size. */
function generate(mb: number, kind: 'objects' | 'strings'): string[] {
  const files = [1, 2, 3].map((i) => path.join(OUT, `${kind}-${mb}-${i}.heapsnapshot`));
  if (files.every((f) => existsSync(f))) return files;
  const script = path.join(OUT, 'gen.cjs');
  writeFileSync(script, `
const v8 = require('v8');
class LeakyRecord { constructor(i) { this.i = i; this.tag = 'r' + i; this.next = null; } }
class StableThing { constructor(i) { this.i = i; } }
const app = { store: { cache: new Map() }, stable: Array.from({ length: 100000 }, (_, i) => new StableThing(i)) };
const [mb, kind, ...files] = process.argv.slice(2);
// ~${'${'}kind === 'strings' ? 'a few huge strings' : 'many small objects'}
const perStep = kind === 'strings' ? Number(mb) * 1024 * 1024 / 3 / 200000 : Number(mb) * 1024 * 1024 / 3 / 180;
let n = 0;
for (const f of files) {
  // unique contents (random hex): padEnd's filler would be shared by V8 and never reach the file
  // V8 writes at most ~1 KB of each string into a snapshot: many unique 1000-char strings, then.
  if (kind === 'strings') for (let k = 0; k < Number(mb) * 1024 * 1024 / 3 / 1000; k++) { const r = new LeakyRecord(n); r.tag = require('crypto').randomBytes(500).toString('hex'); app.store.cache.set(n++, r); }
  else for (let k = 0; k < perStep; k++) app.store.cache.set(n, new LeakyRecord(n++));
  v8.writeHeapSnapshot(f);
}`);
  execFileSync(process.execPath, ['--max-old-space-size=16000', script, String(mb), kind, ...files], { stdio: 'inherit' });
  return files;
}

interface Run { wall: number; cpu: number; rssMb: number; ok: boolean; out: string }

function timed(cmd: string, args: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=20000' } });
  const wall = (performance.now() - t0) / 1000;
  const num = (re: RegExp) => Number(re.exec(r.stderr)?.[1] ?? 0);
  const rss = num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
  const cpu = num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/);
  return { wall, cpu, rssMb: rss, ok: r.status === 0, out: `${r.stdout}\n${r.stderr}` };
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

export async function main(sizes = [100, 300]): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const stringsArg = process.argv.find((a) => a.startsWith('--strings'));
  const stringsMb = Number(stringsArg?.split('=')[1] ?? 700);
  const peers = !process.argv.includes('--no-memlab');
  const baseline = arg('baseline');
  const lines = [
    `leak-profile --snapshot a b c (whole CLI run) vs memlab 2.0.5 on the same three files; ${cpus().length} CPUs, node ${process.version}`,
    'MB/s = the three files\' MB / wall s; peak = max RSS (/usr/bin/time -v) ÷ the largest file; memlab columns: its figure and ours ÷ its',
    '',
    `| snapshots | largest MB (3 files) | load avg before | ${baseline ? 'baseline: wall s (MB/s), CPU s, peak (× file) | ' : ''}ours: wall s (MB/s), CPU s | ours: peak RSS (× file) | found | memlab find-leaks --trace-all-objects: wall s (MB/s), peak (× file) | ours vs find-leaks: time, memory | memlab analyze object-size: wall s, peak (× file) |`,
    `|---|---|---|${baseline ? '---|' : ''}---|---|---|---|---|---|`,
  ];
  const notes: string[] = [];
  const cases: [number, 'objects' | 'strings'][] = [...sizes.map((s) => [s, 'objects'] as [number, 'objects']), [stringsMb, 'strings']];
  for (const [mb, kind] of cases) {
    if (kind === 'strings' && !stringsArg) continue;
    const files = generate(mb, kind);
    const total = files.reduce((s, f) => s + statSync(f).size, 0) / 1048576;
    const last = statSync(files[2]!).size / 1048576;
    const before = load();
    const base = baseline ? ours(path.resolve(baseline), files) : null;
    const run = ours(ROOT, files);
    const found = /HELD BY\n {2}LeakyRecord .* store\.cache \(Map\)\n/.test(run.out) ? 'LeakyRecord first, retaining its strings, store.cache (Map)' : 'no';
    const skipped: Run = { wall: 0, cpu: 0, rssMb: 0, ok: false, out: 'not run (--no-memlab)' };
    const fl = peers ? memlab(['find-leaks', '--baseline', files[0]!, '--target', files[1]!, '--final', files[2]!, '--trace-all-objects']) : skipped;
    const os = peers ? memlab(['analyze', 'object-size', '--snapshot', files[2]!]) : skipped;
    const fail = (r: Run) => `failed: ${/(RangeError[^\n]*|Error[^\n]*)/.exec(r.out)?.[1] ?? 'error'}`;
    const speed = (r: Run) => (r.ok ? `${r.wall.toFixed(1)} (${(total / r.wall).toFixed(0)})` : r === skipped ? 'not run' : fail(r));
    const peak = (r: Run) => `${r.rssMb.toFixed(0)} MB (${(r.rssMb / last).toFixed(2)}×)`;
    const vs = fl.ok && run.ok ? `${(fl.wall / run.wall).toFixed(1)}× faster, ${(fl.rssMb / run.rssMb).toFixed(1)}× less` : '-';
    lines.push(`| 3 × ${kind} | ${last.toFixed(0)} (${total.toFixed(0)}) | ${before} | ${base ? `${speed(base)}, ${base.cpu.toFixed(1)}, ${peak(base)} | ` : ''}${speed(run)}, ${run.cpu.toFixed(1)} | ${peak(run)} | ${found} | ${peers ? `${speed(fl)}, ${peak(fl)}` : 'not run'} | ${vs} | ${!peers ? 'not run' : os.ok ? `${os.wall.toFixed(1)}, ${peak(os)}` : `${fail(os)}, ${peak(os)}`} |`);
    const goalRss = kind === 'objects' ? 1.6 : 0.5;
    const mbs = total / run.wall, cpuMbs = total / run.cpu;
    notes.push(`3 × ${kind} ${last.toFixed(0)} MB: ${mbs >= 150 ? 'meets' : 'misses'} ≥ 150 MB/s by wall time (${mbs.toFixed(0)}; ${cpuMbs.toFixed(0)} MB/s per CPU second); ${run.rssMb / last <= goalRss ? 'meets' : 'misses'} peak ≤ ${goalRss}× (${(run.rssMb / last).toFixed(2)}×)${base ? `; vs baseline: ${(base.wall / run.wall).toFixed(2)}× wall, ${(base.cpu / run.cpu).toFixed(2)}× CPU, ${(base.rssMb / run.rssMb).toFixed(2)}× peak` : ''}; load after: ${load()}`);
  }
  const text = [...lines, '', ...notes].join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number));
