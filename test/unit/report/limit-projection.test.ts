// Where memory is heading against the session's recorded limit: a sawtooth's growing peaks (the troughs
// stay level, so the rate is ~0 and the gate passes, but the process will still hit the limit) and a
// growing row's time to the limit; VRAM is never projected onto host RAM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordedSession } from '../../../src/store/read-session.js';
import { analyseAndCompose } from '../../../src/report/compose-session.js';
import { buildSessionReport } from '../../../src/report/session-report.js';

const MiB = 1024 * 1024;

/** 20 min at 1 s of `mbAt(t)` as USS (and as VRAM when asked), limit recorded as given. */
function session(mbAt: (t: number) => number, limit: { mb: number; source: string } | null, vram = false): RecordedSession {
  const n = 1200;
  const t_ms = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 1000);
  const bytes = t_ms.map((_, i) => Math.round(mbAt(i) * MiB));
  const none = bytes.map(() => null);
  return {
    info: { id: 1, label: 'x', started_at: '2026-11-24T00:00:00Z', interval_s: 1, source: 'track', ...(limit ? { mem_limit_mb: limit.mb, mem_limit_source: limit.source } : {}) },
    processes: [{
      info: { pid: 4242, ppid: 1, start_ticks: 1, name: 'python', cmdline: 'python train.py', role: 'main' },
      rowId: 1, t_ms, rss: bytes, uss: vram ? none : bytes, pss: none, swap: none, vram: vram ? bytes : none, cpu: none,
    }],
    bucketMs: null,
    ticks: n,
  };
}

// Troughs level at 1000 MB; each 60 s tooth climbs to a peak that rises 20 MB/min.
const sawtooth = (t: number): number => 1000 + (t % 60) * ((100 + (20 * t) / 60) / 60);

test('flat troughs, peaks rising 20 MB/min: cycling at ~0, the peaks and when they reach the 4,000 MB limit', () => {
  const { report } = buildSessionReport(session(sawtooth, { mb: 4000, source: 'machine' }), { maxRate: 5 });
  const p = report.processes[0]!;
  assert.equal(p.classification, 'cycling', JSON.stringify(p));
  assert.equal(p.verdict, 'pass');
  assert.ok(Math.abs(p.rate_mb_per_min!) < 1, `troughs' rate ${p.rate_mb_per_min}`);
  assert.ok(Math.abs(p.peaks_rate_mb_per_min! - 20) < 2, `peaks ${p.peaks_rate_mb_per_min}`);
  // The last peak is ~1000 + 100 + 20·20 = 1500 MB: (4000 − 1500) / 20 MB/min ≈ 125 min.
  assert.ok(Math.abs(p.peaks_reach_limit_s! - 125 * 60) < 10 * 60, `reach ${p.peaks_reach_limit_s}`);
  assert.equal(p.reach_limit_s, undefined, 'not growing: no time-to-limit for the troughs');
  const row = analyseAndCompose(session(sawtooth, { mb: 4000, source: 'machine' })).rows[0]!;
  assert.match(row.explanation, /the peaks rise (19|20)\.\d MB\/min, so the process will still need more memory over time \(the 4000 MB limit in ~2h\d\dm at this rate\)/);
});

test('no recorded limit: the peaks are still reported, without a time', () => {
  const { report } = buildSessionReport(session(sawtooth, null));
  const p = report.processes[0]!;
  assert.ok(Math.abs(p.peaks_rate_mb_per_min! - 20) < 2);
  assert.equal(p.peaks_reach_limit_s, undefined);
});

test('growing 30 MB/min from 1000 MB under a 2 GB cgroup: reached in ~(2048 − 1600)/30 min, said with the cgroup', () => {
  const grow = (t: number) => 1000 + (30 * t) / 60;
  const s = session(grow, { mb: 2048, source: 'cgroup /job/rank0' });
  const p = buildSessionReport(s).report.processes[0]!;
  assert.equal(p.classification, 'growing');
  const expected = ((2048 - p.last_mb!) / p.rate_mb_per_min!) * 60;
  assert.ok(Math.abs(p.reach_limit_s! - expected) <= 1, `${p.reach_limit_s} vs ${expected}`);
  assert.ok(Math.abs(p.reach_limit_s! - 15 * 60) < 30, `about 15 min: ${p.reach_limit_s}`);
  assert.match(analyseAndCompose(s).rows[0]!.explanation, /; at this rate it reaches its cgroup's 2,048 MB limit \(\/job\/rank0\) in ~1[45]m\d\ds$/);
});

test('a VRAM series is not projected onto host memory', () => {
  const p = buildSessionReport(session((t) => 1000 + (30 * t) / 60, { mb: 2048, source: 'machine' }, true), { metric: 'vram' }).report.processes[0]!;
  assert.equal(p.metric, 'vram');
  assert.equal(p.classification, 'growing');
  assert.equal(p.reach_limit_s, undefined);
});
