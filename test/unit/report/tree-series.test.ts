// The tree row as a well-defined series under churn: sum over the members alive at each tick,
// readings interpolated between reads, the metric chosen by the members that matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseTreeMetric, sumTreeSeries } from '../../../src/report/tree-series.js';
import { buildSessionReport } from '../../../src/report/session-report.js';
import type { ProcessSeries, RecordedSession } from '../../../src/store/read-session.js';
import type { Role } from '../../../src/types.js';

const MB = 1048576;
type V = number | null;
function series(pid: number, role: Role, t_s: number[], uss: V[], opts: { rss?: V[]; pss?: V[] } = {}): ProcessSeries {
  const mb = (xs: V[]) => xs.map((x) => (x === null ? null : x * MB));
  return {
    info: { pid, ppid: role === 'main' ? 1 : 10, start_ticks: pid, name: `p${pid}`, cmdline: '', role },
    rowId: pid,
    t_ms: t_s.map((t) => t * 1000),
    uss: mb(uss),
    pss: mb(opts.pss ?? uss),
    rss: mb(opts.rss ?? uss.map((u) => (u === null ? null : u + 20))),
    swap: t_s.map(() => 0),
    vram: t_s.map(() => null),
    cpu: t_s.map(() => null),
  };
}
const session = (processes: ProcessSeries[]): RecordedSession => ({
  info: { id: 1, label: 't', started_at: '2026-11-24T00:00:00Z', interval_s: 1, source: 'track' },
  processes,
  bucketMs: null,
  ticks: new Set(processes.flatMap((p) => p.t_ms)).size,
});

test('the sketch in tree-series.ts: members alive at each tick, the main interpolated between its reads', () => {
  const main = series(10, 'main', [1, 2, 3, 4, 5, 6], [80, null, null, 86, null, null]);
  const a = series(11, 'child', [1, 2, 3], [10, 11, 12]);
  const b = series(12, 'child', [4, 5, 6], [9, 10, 11]);
  const s = sumTreeSeries([main, a, b], 'uss', 0);
  assert.deepEqual(s.t_s, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(s.mb.map((x) => Math.round(x * 100) / 100), [90, 93, 96, 95, 96, 97]);
});

test('a big main whose USS is read every 5th tick: no staircase, the tree agrees with the main', () => {
  const n = 240;
  const t = Array.from({ length: n }, (_, i) => i);
  // 208 MB/min, read every 5th tick (the cost governor); a stable worker read every tick
  const main = series(10, 'main', t, t.map((i) => (i % 5 === 0 ? 2000 + (208 * i) / 60 + (i % 2) : null)), { rss: t.map((i) => 2100 + (208 * i) / 60) });
  const worker = series(11, 'child', t, t.map((i) => 300 + (i % 3)));
  const { report } = buildSessionReport(session([main, worker]));
  const [m, , tree] = report.processes;
  assert.equal(m!.classification, 'growing');
  assert.equal(tree!.role, 'tree');
  assert.equal(tree!.classification, 'growing', JSON.stringify(tree));
  assert.ok(Math.abs(tree!.rate_mb_per_min! - m!.rate_mb_per_min!) < 0.05 * m!.rate_mb_per_min!, `tree ${tree!.rate_mb_per_min} vs main ${m!.rate_mb_per_min}`);
  assert.ok(Math.abs(tree!.rate_mb_per_min! - 208) < 0.05 * 208);
});

test('short-lived children: folded into one summary, still in the sum; one without a PSS reading does not switch the tree to RSS', () => {
  const n = 120;
  const t = Array.from({ length: n }, (_, i) => i);
  const main = series(10, 'main', t, t.map((i) => 500 + (30 * i) / 60));
  const helpers = Array.from({ length: 22 }, (_, k) => {
    const at = 3 + k * 5;
    return series(100 + k, 'child', [at, at + 1], k === 4 ? [null, null] : [8, 8], k === 4 ? { rss: [9, 9] } : {});
  });
  const { report, rows } = buildSessionReport(session([main, ...helpers]), { maxRate: 100 });
  assert.deepEqual(report.processes.map((p) => p.role), ['main', 'tree']);
  assert.equal(report.short_lived?.count, 22);
  assert.equal(report.short_lived?.not_in_tree, 1);
  assert.deepEqual(report.short_lived?.names, { p100: 1, p101: 1, p102: 1, p103: 1, p104: 1, p105: 1, p106: 1, p107: 1, p108: 1, p109: 1, p110: 1, p111: 1, p112: 1, p113: 1, p114: 1, p115: 1, p116: 1, p117: 1, p118: 1, p119: 1, p120: 1, p121: 1 });
  const tree = report.processes[1]!;
  assert.equal(tree.metric, 'pss');
  assert.equal(tree.max_mb, 500 + (30 * 109) / 60 + 8, 'the last helper (ticks 108–109) is in the sum: 554.5 + 8');
  assert.ok(rows.every((r) => r.check !== null), 'every row has a gate answer');
});

test('the tree metric: PSS when the main and long-lived children have it, else USS, else RSS; a request wins', () => {
  const t = [0, 1, 2];
  const withPss = series(1, 'main', t, [1, 2, 3]);
  const noPss = series(2, 'child', t, [1, 2, 3], { pss: [null, null, null] });
  const rssOnly = series(3, 'child', t, [null, null, null], { pss: [null, null, null], rss: [5, 5, 5] });
  assert.equal(chooseTreeMetric([withPss]), 'pss');
  assert.equal(chooseTreeMetric([withPss, noPss]), 'uss');
  assert.equal(chooseTreeMetric([withPss, rssOnly]), 'rss');
  assert.equal(chooseTreeMetric([withPss], 'rss'), 'rss');
});

test('a process with no samples gets no row and leaves the check defined', () => {
  const t = Array.from({ length: 60 }, (_, i) => i);
  const main = series(10, 'main', t, t.map(() => 100));
  const worker = series(11, 'child', t, t.map((i) => 50 + i));
  const ghost = series(12, 'child', [], []);
  const { report, rows } = buildSessionReport(session([main, worker, ghost]), { maxRate: 30 });
  assert.deepEqual(report.processes.map((p) => [p.role, p.pid, p.verdict]), [['main', 10, 'pass'], ['child', 11, 'fail'], ['tree', 10, 'fail']]);
  assert.ok(rows.every((r) => r.check));
});

test('a long-lived worker whose USS was read on only a few ticks is not short-lived (the ticks it was seen count)', () => {
  const t = Array.from({ length: 60 }, (_, i) => i);
  const main = series(10, 'main', t, t.map(() => 100));
  const worker = series(11, 'child', t, t.map((i) => (i % 10 === 0 ? 50 + i : null)), { rss: t.map((i) => 90 + i) });
  const { report } = buildSessionReport(session([main, worker]));
  assert.deepEqual(report.processes.map((p) => [p.role, p.pid]), [['main', 10], ['child', 11], ['tree', 10]]);
  assert.equal(report.short_lived, undefined);
});
