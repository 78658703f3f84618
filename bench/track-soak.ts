// The tracker must not leak (issue #2, item 8): leak-track samples a 50-process tree every 0.2 s while
// a second leak-track samples the first every 5 s; the second one's session is then analysed like
// any other. Run: node dist/bench/track-soak.js [minutes=31] [processes=50] [interval_s=0.2]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { openDbForRead } from '../src/store/open-db.js';
import { readSession } from '../src/store/read-session.js';
import { buildSessionReport } from '../src/report/session-report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PY = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
const TRACK = path.join(ROOT, 'dist/src/cli/bin/leak-track.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function main(minutes = 31, processes = 50, intervalS = 0.2): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-soak-'));
  const tree = spawn(PY, [path.join(ROOT, 'fixtures/programs/tree.py'), '--workers', String(processes - 1), '--leak-rate', '0', '--lifetime', String(minutes * 60 + 120)], { stdio: 'ignore' });
  await sleep(3000 + processes * 40);
  const seconds = Math.round(minutes * 60);
  const tracker = spawn(process.execPath, [TRACK, String(tree.pid), `${seconds}s`, String(intervalS), '--db', path.join(dir, 'soak.db'), '--quiet'], { stdio: 'ignore' });
  await sleep(500);
  const watcher = spawn(process.execPath, [TRACK, String(tracker.pid), `${seconds + 60}s`, '5', '--db', path.join(dir, 'self.db'), '--quiet'], { stdio: 'ignore' });
  const started = Date.now();
  const progress = setInterval(() => {
    const uss = readFileSync(`/proc/${tracker.pid}/smaps_rollup`, 'latin1').match(/^Private_(?:Clean|Dirty):\s+(\d+)/gm)?.reduce((s, l) => s + Number(l.split(/\s+/)[1]), 0) ?? 0;
    process.stderr.write(`\rtrack-soak: ${((Date.now() - started) / 60000).toFixed(1)} / ${minutes} min · tracker USS ${(uss / 1024).toFixed(1)} MB   `);
  }, 10_000);
  await new Promise((r) => tracker.once('exit', r));
  clearInterval(progress);
  process.stderr.write('\n');
  await new Promise((r) => watcher.once('exit', r)); // the watched tracker exited: the watcher ends too
  tree.kill('SIGTERM');
  // The tracker's last sample marks the end of tracking; after it, it reads the session back for its
  // closing summary (a short, expected peak), which is reported apart from the tracking phase.
  const soakDb = openDbForRead(path.join(dir, 'soak.db'));
  const endMs = (soakDb.prepare('SELECT max(t_ms) AS t FROM samples').get() as { t: number }).t;
  soakDb.close();
  const db = openDbForRead(path.join(dir, 'self.db'));
  const session = readSession(db, 1);
  db.close();
  const p = session.processes[0]!;
  const keep = p.t_ms.map((t) => t <= endMs);
  const after = p.uss.filter((u, i) => !keep[i] && u !== null) as number[];
  for (const k of ['t_ms', 'rss', 'uss', 'pss', 'swap', 'vram', 'cpu'] as const) (p[k] as unknown[]) = (p[k] as unknown[]).filter((_, i) => keep[i]);
  const me = buildSessionReport({ ...session, processes: [p] }).report.processes[0]!;
  const cpu = p.cpu.filter((c): c is number => c !== null);
  const meanCpu = cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length);
  const ci = me.rate_ci95_mb_per_min;
  const summaryPeak = after.length ? `${(Math.max(...after) / 1048576).toFixed(1)} MB` : 'not sampled';
  const lines = [
    `leak-track sampling ${processes} processes every ${intervalS} s for ${minutes} min, watched by a second leak-track every 5 s:`,
    '',
    '| tracker USS first | last | min | max | rate (95 % CI) | verdict | tracker CPU | while writing its closing summary |',
    '|---|---|---|---|---|---|---|---|',
    `| ${me.first_mb} MB | ${me.last_mb} MB | ${me.min_mb} MB | ${me.max_mb} MB | ${me.rate_mb_per_min} MB/min (${ci ? `${ci[0]}–${ci[1]}` : 'n/a'}) | ${me.classification} | ${meanCpu.toFixed(1)} % | ${summaryPeak} |`,
  ];
  const text = lines.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [m, p, i] = process.argv.slice(2).map(Number);
  await main(m || 31, p || 50, i || 0.2);
}
