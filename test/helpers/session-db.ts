// Recorded sessions with known shapes, written through the store's own SessionWriter, for report
// tests and benches that need a DB without tracking real processes for hours.
import { openDbForWrite } from '../../src/store/open-db.js';
import { SessionWriter } from '../../src/store/session-writer.js';
import { rng } from '../../src/analyze/stats.js';
import type { ProcessInfo, Sample } from '../../src/types.js';

const MiB = 1048576;

export interface MemberSpec {
  info: Omit<ProcessInfo, 'start_ticks'>;
  /** MB at second t (noise is added); null = not alive at t. */
  mb: (t: number) => number | null;
}

/** Write one session of `ticks` samples every `interval_s` for the members; returns its id. */
export function writeSession(file: string, label: string, interval_s: number, ticks: number, members: MemberSpec[], seed = 1): number {
  const db = openDbForWrite(file);
  try {
    const w = new SessionWriter(db, { label, interval_s, target: members[0]!.info.cmdline });
    const r = rng(seed);
    const t0 = Date.parse('2026-11-20T08:00:00Z');
    const ids = new Map<number, number>();
    let batch: { processId: number; sample: Sample }[] = [];
    for (let k = 0; k < ticks; k++) {
      const t = k * interval_s;
      const t_ms = Math.round(t0 + t * 1000);
      members.forEach((m, i) => {
        const v = m.mb(t);
        if (v === null) return;
        let id = ids.get(i);
        if (id === undefined) ids.set(i, (id = w.addProcess({ ...m.info, start_ticks: 1000 + i }, t_ms)));
        const bytes = Math.round((v + (r() - 0.5) * 0.4) * MiB);
        batch.push({ processId: id, sample: { t_ms, rss: bytes + 50 * MiB, uss: bytes, pss: bytes, swap: 0, vram: null, cpu: 10 } });
      });
      if (batch.length >= 5000) (w.appendTick(batch), (batch = []));
    }
    w.appendTick(batch);
    w.end('duration');
    return w.sessionId;
  } finally {
    db.close();
  }
}

/**
 * A training tree over 30 min at 2 s: the main process grows 3 MB/min, worker 1 leaks 20 MB/min
 * (it drives the tree), worker 2 is stable, worker 3 cycles (sawtooth, 5 min period), and six
 * short-lived helpers live 3 samples each.
 */
export function writeTreeSession(file: string): number {
  const main = { pid: 4242, ppid: 1, name: 'python', cmdline: 'python train.py --epochs 3 </script><!-- \u2028', role: 'main' as const };
  const child = (pid: number, name: string) => ({ pid, ppid: 4242, name, cmdline: `python -c worker ${pid}`, role: 'child' as const });
  const members: MemberSpec[] = [
    { info: main, mb: (t) => 2000 + (3 * t) / 60 },
    { info: child(4301, 'pt_worker_1'), mb: (t) => 500 + (20 * t) / 60 },
    { info: child(4302, 'pt_worker_2'), mb: () => 480 },
    { info: child(4303, 'pt_worker_3'), mb: (t) => 300 + ((t % 300) / 300) * 120 },
  ];
  for (let i = 0; i < 6; i++) members.push({ info: child(4400 + i, 'compile_helper'), mb: (t) => (t >= 100 + i * 200 && t < 106 + i * 200 ? 3 : null) });
  return writeSession(file, 'tree', 2, 900, members);
}

/** A day-long session: `points` samples over 24 h of one process with a slow leak under a sawtooth. */
export function writeLongSession(file: string, points = 100_000): number {
  const interval = 86_400 / points;
  const main = { pid: 7000, ppid: 1, name: 'python', cmdline: 'python serve.py --day', role: 'main' as const };
  return writeSession(file, 'day', interval, points, [{ info: main, mb: (t) => 4000 + (0.5 * t) / 60 + ((t % 3600) / 3600) * 200 }], 7);
}
