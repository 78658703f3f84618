// Benchmark: peak RSS and wall time of `leak-report --trace FILE --json` on a large trace CSV (a main
// and one child, 1 s apart: 2 M rows by default), against a baseline build given with --baseline DIR
// (a built checkout of an earlier commit). Peak RSS is the report process's own maxRSS, written at exit
// by a preloaded hook. Run: node dist/bench/trace-stream.js [--rows 2000000] [--baseline /tmp/base]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : d;
};
const rows = Number(arg('rows', '2000000'));
const baseline = arg('baseline', '');

/** A main leaking 12 MB/min with ±2 MB noise and a stable child: rows/2 ticks at 1 s. */
function writeTrace(file: string, n: number): void {
  const fd = openSync(file, 'w');
  let seed = 11;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4;
  const MiB = 1048576;
  let chunk = 't_s,pid,rss_bytes,uss_bytes,pss_bytes,swap_bytes\n';
  for (let i = 0; i < n / 2; i++) {
    const main = Math.round((500 + (12 * i) / 60 + noise()) * MiB);
    const child = Math.round((300 + noise()) * MiB);
    chunk += `${i},100,${main + 50 * MiB},${main},${main + 4 * MiB},0\n${i},101,${child + 50 * MiB},${child},${child + 4 * MiB},0\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

function measure(root: string, trace: string, hook: string): { peakMb: number; wallS: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', hook, path.join(root, 'dist/src/cli/bin/leak-report.js'), '--trace', trace, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`leak-report exited ${r.status}: ${r.stderr}`);
  const m = /maxrss_kb=(\d+)/.exec(r.stderr);
  return { peakMb: m ? Number(m[1]) / 1024 : NaN, wallS, out: r.stdout };
}

const dir = mkdtempSync(path.join(tmpdir(), 'ld-trace-bench-'));
try {
  const hook = path.join(dir, 'maxrss.mjs');
  writeFileSync(hook, `import { writeSync } from 'node:fs';\nprocess.on('exit', () => writeSync(2, 'maxrss_kb=' + process.resourceUsage().maxRSS + '\\n'));\n`);
  const trace = path.join(dir, 'big.csv');
  writeTrace(trace, rows);
  console.log(`trace: ${rows.toLocaleString('en')} rows, ${(statSync(trace).size / 1048576).toFixed(0)} MB`);
  const summary = (out: string) =>
    (JSON.parse(out) as { processes: { role: string; classification: string; rate_mb_per_min: number; samples: number }[] }).processes
      .map((p) => `${p.role} ${p.classification} ${p.rate_mb_per_min} (${p.samples} samples)`)
      .join('; ');
  for (const [label, root] of [['streaming (this build)', ROOT], ...(baseline ? [['baseline', baseline]] : [])] as [string, string][]) {
    const m = measure(root, trace, hook);
    console.log(`${label}: peak RSS ${m.peakMb.toFixed(0)} MB, ${m.wallS.toFixed(1)} s — ${summary(m.out)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
