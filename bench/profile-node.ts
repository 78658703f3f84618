// Benchmark: our streaming parse + aggregate + diff + dominator tree (retained sizes, folding, holder
// clusters) against memlab on generated Node heap snapshots, wall time and peak RSS (/usr/bin/time -v),
// side by side. Run: node dist/bench/profile-node.js [MB...] [--strings[=MB]] [--no-memlab]
// Snapshots are generated under bench/out/ by a child that grows a named cache between snapshots.
// --no-memlab: ours only (memlab takes many minutes on a loaded shared box).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'bench/out');
// memlab is installed apart (npm run bench:peers) so that npm ci for the tests does not pull ~300 packages.
// Its bin's shebang (`#!/usr/bin/env node --expose-gc …`) needs `env -S`; GNU env 9 passes the line as one
// program name and never runs memlab, so the bench runs its script with node and those flags itself.
const MEMLAB_JS = path.join(ROOT, 'bench/peers/node_modules/@memlab/cli/bin/memlab.js');
const memlab = (args: string[]) => timed(process.execPath, ['--expose-gc', MEMLAB_JS, ...args]);

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

interface Run { wall: number; rssMb: number; ok: boolean; out: string }

function timed(cmd: string, args: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=20000' } });
  const wall = (performance.now() - t0) / 1000;
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024;
  return { wall, rssMb: rss, ok: r.status === 0, out: `${r.stdout}\n${r.stderr}` };
}

export async function main(sizes = [100, 300]): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const lines = ['| snapshots | file MB | ours: wall s (MB/s) | ours: peak RSS (× file) | found | memlab find-leaks --trace-all-objects: wall s (MB/s) | peak RSS (× file) | memlab analyze object-size: wall s | peak RSS (× file) |', '|---|---|---|---|---|---|---|---|---|'];
  const stringsArg = process.argv.find((a) => a.startsWith('--strings'));
  const stringsMb = Number(stringsArg?.split('=')[1] ?? 700);
  const peers = !process.argv.includes('--no-memlab');
  const cases: [number, 'objects' | 'strings'][] = [...sizes.map((s) => [s, 'objects'] as [number, 'objects']), [stringsMb, 'strings']];
  for (const [mb, kind] of cases) {
    if (kind === 'strings' && !stringsArg) continue;
    const files = generate(mb, kind);
    const total = files.reduce((s, f) => s + statSync(f).size, 0) / 1048576;
    const last = statSync(files[2]!).size / 1048576;
    const ours = timed(process.execPath, [path.join(ROOT, 'dist/src/cli/bin/leak-profile.js'), '--snapshot', ...files, '--top', '3']);
    const found = /HELD BY\n {2}LeakyRecord .* store\.cache \(Map\)\n/.test(ours.out) ? 'LeakyRecord first, retaining its strings, store.cache (Map)' : 'no';
    const skipped: Run = { wall: 0, rssMb: 0, ok: false, out: 'not run (--no-memlab)' };
    const fl = peers ? memlab(['find-leaks', '--baseline', files[0]!, '--target', files[1]!, '--final', files[2]!, '--trace-all-objects']) : skipped;
    const os = peers ? memlab(['analyze', 'object-size', '--snapshot', files[2]!]) : skipped;
    const f = (r: Run, mbs: number) => (r.ok ? `${r.wall.toFixed(1)} (${(mbs / r.wall).toFixed(0)})` : r === skipped ? 'not run' : `failed: ${/(RangeError[^\n]*|Error[^\n]*)/.exec(r.out)?.[1] ?? 'error'}`);
    lines.push(`| 3 × ${kind} | ${last.toFixed(0)} (3 files: ${total.toFixed(0)}) | ${f(ours, total)} | ${ours.rssMb.toFixed(0)} MB (${(ours.rssMb / last).toFixed(2)}×) | ${found} | ${f(fl, total)} | ${peers ? `${fl.rssMb.toFixed(0)} MB (${(fl.rssMb / last).toFixed(1)}×)` : '-'} | ${!peers ? 'not run' : os.ok ? os.wall.toFixed(1) : 'failed'} | ${peers ? `${os.rssMb.toFixed(0)} MB (${(os.rssMb / last).toFixed(1)}×)` : '-'} |`);
  }
  const text = lines.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number));
