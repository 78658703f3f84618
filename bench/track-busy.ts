// Benchmark (issue 21.1): readings on a busy box. A 600 MB process leaking 80 MB/min, tracked 3 min
// every 2 s, once with both cores saturated by two busy loops and once without them, by this tree's
// leak-track and by the previous one (wall-time budget; BASELINE_DIST, default /work/main/dist) side
// by side on the same target, so both see the same load. Then this leak-track's CPU share on a tree of
// 100 processes. Prints one JSON line per measurement. Run: node dist/bench/track-busy.js [--minutes 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, PY, sleep, start } from './children.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BASELINE = process.env.BASELINE_DIST ?? '/work/main/dist';
const MINUTES = process.argv.includes('--minutes') ? Number(process.argv[process.argv.indexOf('--minutes') + 1]) : 3;

const rssMb = (pid: number): number => Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096 / 1048576;

/** Track `pid` with the leak-track of `dist` into `db`; resolves with the tracker's CPU share (% of one core). */
async function track(dist: string, db: string, pid: number, minutes: number, interval: number): Promise<number> {
  const t = start(process.execPath, [path.join(dist, 'src/cli/bin/leak-track.js'), '--db', db, '--quiet', String(pid), String(minutes), String(interval)]);
  const t0 = performance.now();
  let cpu = 0;
  const poll = setInterval(() => (cpu = cpuSeconds(t.pid!) ?? cpu), 250);
  await new Promise((r) => t.once('exit', r));
  clearInterval(poll);
  return (cpu / ((performance.now() - t0) / 1000)) * 100;
}

function verdict(dist: string, db: string): { rate: number; ci: [number, number]; uss_readings: number; carried: unknown; gate_exit: number | null } {
  const rep = spawnSync(process.execPath, [path.join(dist, 'src/cli/bin/leak-report.js'), '--db', db, '--json'], { encoding: 'utf8' });
  const main = JSON.parse(rep.stdout).processes.find((p: { role: string }) => p.role === 'main');
  const gate = spawnSync(process.execPath, [path.join(dist, 'src/cli/bin/leak-check.js'), '--db', db, '--max-rate', '50'], { encoding: 'utf8' });
  return { rate: main.rate_mb_per_min, ci: main.rate_ci95_mb_per_min, uss_readings: main.carried_by_rss?.read ?? main.samples, carried: main.carried_by_rss ?? null, gate_exit: gate.status };
}

async function leakScenario(busy: boolean, dir: string): Promise<void> {
  const target = start(PY, [path.join(ROOT, 'fixtures/programs/rec_shapes.py'), '--shape', 'ramp', '--base', '600', '--rate', '80', '--lifetime', String(MINUTES * 60 + 30)]);
  while (!(rssMb(target.pid!) >= 600)) await sleep(200);
  const burners = busy ? [0, 1].map(() => start(PY, ['-c', 'while 1: pass'])) : [];
  const load0 = loadavg()[0];
  const dbs = { ours: path.join(dir, `ours-${busy}.db`), baseline: path.join(dir, `base-${busy}.db`) };
  const [ours, baseline] = await Promise.all([track(path.join(ROOT, 'dist'), dbs.ours, target.pid!, MINUTES, 2), track(BASELINE, dbs.baseline, target.pid!, MINUTES, 2)]);
  const load1 = loadavg()[0];
  burners.forEach((b) => b.kill('SIGKILL'));
  target.kill('SIGKILL');
  for (const [who, cpu, db, dist] of [['ours', ours, dbs.ours, path.join(ROOT, 'dist')], ['baseline', baseline, dbs.baseline, BASELINE]] as const) {
    console.log(JSON.stringify({ scenario: busy ? 'busy (2 burners)' : 'no burners', tracker: who, loadavg_1m: [load0, load1].map((x) => +x.toFixed(2)), tracker_cpu_pct: +cpu.toFixed(2), ...verdict(dist, db) }));
  }
}

async function hundred(dir: string): Promise<void> {
  const tree = start(PY, [path.join(ROOT, 'fixtures/programs/tree.py'), '--workers', '99', '--leak-rate', '0', '--lifetime', '150']);
  const count = () => spawnSync('pgrep', ['-P', String(tree.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length;
  while (count() < 99) await sleep(200);
  const load0 = loadavg()[0];
  const cpu = await track(path.join(ROOT, 'dist'), path.join(dir, 'hundred.db'), tree.pid!, 1, 2);
  console.log(JSON.stringify({ scenario: '100 processes, 1 min at 2 s', tracker: 'ours', loadavg_1m: [load0, +loadavg()[0].toFixed(2)], tracker_cpu_pct: +cpu.toFixed(2) }));
  tree.kill('SIGTERM');
}

const dir = mkdtempSync(path.join(tmpdir(), 'ld-busy-'));
try {
  await leakScenario(true, dir);
  await leakScenario(false, dir);
  await hundred(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
