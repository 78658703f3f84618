// A giant read every k-th tick (issue 21.1): USS between its readings is carried by the RSS read every
// tick, the shared part taken as moving in a straight line, and the row says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordedSession } from '../../../src/store/read-session.js';
import { buildSessionReport } from '../../../src/report/session-report.js';
import { carryByRss } from '../../../src/report/carry-by-rss.js';
import { readTraceReport } from '../../../src/api/read-report.js';
import { FIXTURES } from '../../helpers/paths.js';
import path from 'node:path';

const MiB = 1024 * 1024;

/** 3 min at 2 s of a 3 GB process leaking `rate` MB/min; USS/PSS read every `k`-th tick (seeded jitter on RSS). */
function giant(rate: number, k: number): RecordedSession {
  const n = 90;
  let seed = 7;
  const jitter = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.4; // ±0.2 MB
  const t_ms = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 2000);
  const rss = t_ms.map((_, i) => Math.round((3000 + (rate * i * 2) / 60 + jitter()) * MiB));
  const shared = (i: number) => (180 + 0.02 * i) * MiB; // libraries: moves slowly
  const uss = rss.map((r, i) => (i % k === 0 ? r - shared(i) : null));
  const none = rss.map(() => null);
  return {
    info: { id: 1, label: 'giant', started_at: '2026-12-07T00:00:00Z', interval_s: 2, source: 'track' },
    processes: [{ info: { pid: 77, ppid: 1, start_ticks: 1, name: 'python', cmdline: 'python train.py', role: 'main' }, rowId: 1, t_ms, rss, uss, pss: uss, swap: none, vram: none, cpu: none }],
    bucketMs: null,
    ticks: n,
  };
}

test('carryByRss fills only the gaps between two readings, from RSS minus the interpolated shared part', () => {
  const p = giant(10, 6).processes[0]!;
  const c = carryByRss(p, 'uss');
  assert.equal(c.read, 15);
  assert.equal(c.carried, 84 - 14, 'ticks after the last reading (85–89) are not carried');
  for (let i = 0; i <= 84; i++) {
    const want = p.rss[i]! - (180 + 0.02 * i) * MiB;
    assert.ok(Math.abs(c.values[i]! - want) < 0.01 * MiB, `tick ${i}: ${c.values[i]! / MiB} vs ${want / MiB}`);
  }
  assert.equal(c.values[85], null);
  assert.equal(carryByRss(p, 'rss').carried, 0);
});

test('a 10 MB/min leak in a 3 GB process read every 6th tick: its USS rate, a narrow interval, and the row says how', () => {
  // RSS grows 10 MB/min and the shared part 0.02 MB a tick (0.6 MB/min): USS grows 9.4 MB/min.
  const sparse = buildSessionReport(giant(10, 6), { maxRate: 5 }).report.processes[0]!;
  assert.deepEqual(sparse.carried_by_rss, { read: 15, carried: 70 });
  assert.equal(sparse.samples, 15, 'samples counts readings; carried_by_rss says what was carried');
  assert.equal(sparse.classification, 'growing');
  assert.ok(Math.abs(sparse.rate_mb_per_min! - 9.4) < 0.2, `rate ${sparse.rate_mb_per_min}`);
  const [lo, hi] = sparse.rate_ci95_mb_per_min!;
  assert.ok(hi - lo < 2, `interval ${lo}–${hi}`);
  assert.equal(sparse.verdict, 'fail');
  const { rows } = buildSessionReport(giant(10, 6));
  assert.match(rows[0]!.analysis!.explanation, /USS read on 15 of 85 ticks, the 70 between carried by RSS \(read every tick/);
  // Read every tick: nothing carried, nothing said.
  const dense = buildSessionReport(giant(10, 1)).report.processes[0]!;
  assert.equal(dense.carried_by_rss, undefined);
});

test('a gap across which the shared part jumps (workers forked or exited) is left as read, not carried', () => {
  // A DataLoader main: RSS flat at 230 MB, USS 6 MB while four workers share its pages and 91 MB once they
  // exit; carried across, its ticks read a flat main as 20.9 MB/min (−385–427) (dl-churn-noleak.csv).
  const s = giant(0, 6);
  const p = s.processes[0]!;
  p.rss = p.rss.map(() => 230 * MiB);
  p.uss = p.uss.map((v, i) => (v === null ? null : (i < 42 ? 6 : 91) * MiB));
  const c = carryByRss(p, 'uss');
  assert.equal(c.values[40], null, 'the gap 36–42, across the jump, stays unread');
  assert.equal(c.values[38], null);
  assert.equal(c.values[44], 91 * MiB, 'gaps where the shared part held are carried');
  assert.equal(c.carried, 70 - 5);
  // the recording itself: the main is stable with an interval a gate can use
  const r = readTraceReport(path.join(FIXTURES, 'recordings', 'dl-churn-noleak.csv')).processes.find((x) => x.role === 'main')!;
  assert.equal(r.classification, 'stable');
  const [lo, hi] = r.rate_ci95_mb_per_min!;
  assert.ok(hi - lo < 100, `interval ${lo}–${hi}`);
  assert.ok(r.carried_by_rss!.carried < 73, JSON.stringify(r.carried_by_rss));
});
