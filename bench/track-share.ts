// Benchmark (issue 21.1): leak-track's own CPU share, steady state, at 10 and 100 processes, with the
// box idle and with both cores saturated by two busy loops. The tree is fixtures/programs/tree.py
// (a parent and N−1 workers of ~10 MB each, not leaking). The share is the tracker's utime+stime over
// a window that starts after its first ticks and ends before its closing summary (start-up and the
// summary are one-off costs; track-busy.ts reports the whole-run share). With BASELINE_DIST set
// (a built dist/ of another version, with package.json and node_modules beside it) that tracker runs
// side by side on the same tree, so both see the same load. Prints one JSON line per tracker per case.
// `floor_ms_per_pass` is the kernel's part alone: the CPU this bench spends reading every member's
// smaps_rollup once (open+read+close, median of 5 passes) right after the window, under the same load;
// `floor_pct` is that every interval. `--modes quiet,chart` also runs the tracker on a terminal (under
// script(1)), where it draws the live chart and status line.
// Run: node dist/bench/track-share.js [--seconds 60] [--counts 10,100] [--interval 2] [--loads idle,busy] [--modes quiet]
import { spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, PY, sleep, start } from './children.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const opt = (name: string, dflt: string): string => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : dflt);
const SECONDS = Number(opt('--seconds', '60'));
const COUNTS = opt('--counts', '10,100').split(',').map(Number);
const INTERVAL = Number(opt('--interval', '2'));
const LOADS = opt('--loads', 'idle,busy').split(',');
const MODES = opt('--modes', 'quiet').split(',');
const WARM_S = 3 * INTERVAL + 2; // first ticks: start-up, the first scans, the governors' first reads

/** CPU ms to read every PID's smaps_rollup once: the median of 5 passes. */
function floorMs(pids: number[]): number {
  const buf = Buffer.allocUnsafe(16384);
  const passes: number[] = [];
  for (let k = 0; k < 5; k++) {
    const c0 = process.cpuUsage();
    for (const pid of pids) {
      try {
        const fd = openSync(`/proc/${pid}/smaps_rollup`, 'r');
        while (readSync(fd, buf, 0, buf.length, null) > 0);
        closeSync(fd);
      } catch { /* gone */ }
    }
    const c = process.cpuUsage(c0);
    passes.push((c.user + c.system) / 1000);
  }
  return passes.sort((a, b) => a - b)[2]!;
}

const childPids = (pid: number): number[] => spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
const childCount = (pid: number) => spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;

interface Tracker { who: string; proc: ChildProcess; pid: number; exited: Promise<unknown> }

/** The tracker itself: started directly (quiet), or under script(1) so that it draws on a terminal (chart). */
async function startTracker(who: string, dist: string, db: string, treePid: number, mode: string): Promise<Tracker> {
  const argv = [path.join(dist, 'src/cli/bin/leak-track.js'), '--db', db, ...(mode === 'quiet' ? ['--quiet'] : []), String(treePid), '0', String(INTERVAL)];
  const proc = mode === 'quiet'
    ? start(process.execPath, argv)
    : start('script', ['-qfec', [process.execPath, ...argv].map((a) => `'${a}'`).join(' '), '/dev/null']);
  const exited = new Promise((r) => proc.once('exit', r));
  if (mode === 'quiet') return { who, proc, pid: proc.pid!, exited };
  let pid: number | undefined;
  while (!(pid = childPids(proc.pid!)[0])) await sleep(50);
  return { who, proc, pid, exited };
}

async function oneCase(n: number, load: string, mode: string, dir: string, dists: [string, string][]): Promise<void> {
  const tree = start(PY, [path.join(ROOT, 'fixtures/programs/tree.py'), '--workers', String(n - 1), '--leak-rate', '0', '--lifetime', String(SECONDS + WARM_S + 120)]);
  while (childCount(tree.pid!) < n - 1) await sleep(200);
  await sleep(2000); // the workers' 10 MB are touched
  const burners = load === 'busy' ? [0, 1].map(() => start(PY, ['-c', 'while 1: pass'])) : [];
  const trackers = await Promise.all(dists.map(([who, dist]) => startTracker(who, dist, path.join(dir, `${who}-${n}-${load}-${mode}.db`), tree.pid!, mode)));
  await sleep(WARM_S * 1000);
  const load0 = loadavg()[0];
  const c0 = trackers.map((t) => cpuSeconds(t.pid) ?? NaN);
  const w0 = performance.now();
  await sleep(SECONDS * 1000);
  const c1 = trackers.map((t) => cpuSeconds(t.pid) ?? NaN);
  const wall = (performance.now() - w0) / 1000;
  const load1 = loadavg()[0];
  const floor = floorMs([tree.pid!, ...childPids(tree.pid!)]);
  for (const t of trackers) process.kill(t.pid, 'SIGINT');
  await Promise.all(trackers.map((t) => t.exited));
  burners.forEach((b) => b.kill('SIGKILL'));
  tree.kill('SIGTERM');
  await new Promise((r) => tree.once('exit', r));
  trackers.forEach((t, i) => {
    console.log(JSON.stringify({
      processes: n, load, mode, tracker: t.who, interval_s: INTERVAL, window_s: +wall.toFixed(1), loadavg_1m: [+load0.toFixed(2), +load1.toFixed(2)],
      tracker_cpu_pct: +(((c1[i]! - c0[i]!) / wall) * 100).toFixed(2), cpu_ms_per_tick: +(((c1[i]! - c0[i]!) * 1000) / (wall / INTERVAL)).toFixed(1),
      floor_ms_per_pass: +floor.toFixed(1), floor_pct: +((floor / (INTERVAL * 1000)) * 100).toFixed(2),
    }));
  });
}

const dists: [string, string][] = [['this', path.join(ROOT, 'dist')]];
if (process.env.BASELINE_DIST) dists.push(['baseline', process.env.BASELINE_DIST]);
const dir = mkdtempSync(path.join(tmpdir(), 'ld-share-'));
try {
  for (const n of COUNTS) for (const load of LOADS) for (const mode of MODES) await oneCase(n, load, mode, dir, dists);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
