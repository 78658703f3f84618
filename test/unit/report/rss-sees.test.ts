// USS that cannot decide while RSS can (a torch job whose libraries' pages turn private and shared again
// as other torch processes come and go): the row says what RSS reads, and its numbers say how much each
// series wanders about a straight line, measured the same way for both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordedSession } from '../../../src/store/read-session.js';
import { buildSessionReport } from '../../../src/report/session-report.js';

const MiB = 1024 * 1024;

/** 3 min at 2 s: RSS a clean 75 MB/min line; USS = RSS − shared, where `shared(i)` jumps as others map libtorch. */
function session(shared: (i: number) => number): RecordedSession {
  const n = 90;
  let seed = 11;
  const jitter = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  const t_ms = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 2000);
  const rss = t_ms.map((_, i) => Math.round((400 + (75 * i * 2) / 60 + jitter()) * MiB));
  const uss = rss.map((r, i) => r - shared(i) * MiB);
  const none = rss.map(() => null);
  return {
    info: { id: 1, label: 'torch', started_at: '2026-12-07T00:00:00Z', interval_s: 2, source: 'track' },
    processes: [{ info: { pid: 77, ppid: 1, start_ticks: 1, name: 'python', cmdline: 'python train.py', role: 'main' }, rowId: 1, t_ms, rss, uss, pss: uss, swap: none, vram: none, cpu: none }],
    bucketMs: null,
    ticks: n,
  };
}

test('USS stepping ±110 MB over a clean RSS line: the row gives RSS\'s reading and the spreads it measured, never "0.0 MB"', () => {
  // libtorch's pages turn private when another torch process exits (USS up) and shared when one starts
  const shared = (i: number) => (i % 30 < 15 ? 200 : 90) + ((i * 7) % 5) * 8;
  const { rows, report } = buildSessionReport(session(shared));
  const p = report.processes[0]!;
  assert.equal(p.classification, 'insufficient-data', rows[0]!.analysis!.explanation);
  assert.equal(p.rss_reading?.classification, 'growing');
  const m = /USS wanders ([\d.]+) MB about a line where RSS moves ([\d.]+) MB/.exec(rows[0]!.analysis!.explanation);
  assert.ok(m, rows[0]!.analysis!.explanation);
  const [uss, rss] = [Number(m[1]), Number(m[2])];
  assert.ok(uss > 30 && uss < 80, `USS spread ${uss} MB (the steps are 110 MB)`);
  assert.ok(rss < 0.2, `RSS spread ${rss} MB`);
});
