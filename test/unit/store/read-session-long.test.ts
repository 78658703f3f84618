// Long sessions are read as bucket means on a shared grid: bounded memory, the same verdicts, and the
// counts and extremes still exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { openDbForRead, openDbForWrite } from '../../../src/store/open-db.js';
import { SessionWriter } from '../../../src/store/session-writer.js';
import { readSession } from '../../../src/store/read-session.js';
import { buildSessionReport } from '../../../src/report/session-report.js';

const MB = 1048576;

test('a 20,000-tick session read as ≤ 8,000 bucket means gives the raw read\'s rates, exact counts and extremes', () => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'ld-long-')), 'long.db');
  const db = openDbForWrite(f);
  const w = new SessionWriter(db, { label: 'long', interval_s: 1, target: 'x' });
  const main = w.addProcess({ pid: 10, ppid: 1, start_ticks: 1, name: 'python', cmdline: 'python train.py', role: 'main' }, 0);
  const worker = w.addProcess({ pid: 11, ppid: 10, start_ticks: 2, name: 'python', cmdline: 'worker', role: 'child' }, 0);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4; // ±2 MB
  for (let i = 0; i < 20_000; i++) {
    const t = i * 1000;
    const leak = (500 + (12 * i) / 60 + noise()) * MB; // 12 MB/min
    const spike = i === 7777 ? 900 * MB : 0; // one 900 MB blip: the exact max must survive bucketing
    const flat = (300 + noise()) * MB;
    w.appendTick([
      { processId: main, sample: { t_ms: t, rss: flat + 50 * MB, uss: flat, pss: flat, swap: 0, vram: null, cpu: 5 } },
      // USS of the worker read every 3rd tick (the cost governor's pattern); RSS every tick
      { processId: worker, sample: { t_ms: t, rss: leak + spike + 50 * MB, uss: i % 3 === 0 || i === 7777 ? leak + spike : null, pss: null, swap: 0, vram: null, cpu: 50 } },
    ]);
  }
  w.end('duration');
  db.close();
  const r = openDbForRead(f);
  const rawRead = readSession(r, 1, 1e9);
  const bucketed = readSession(r, 1);
  r.close();
  assert.equal(rawRead.bucketMs, null);
  assert.ok(bucketed.bucketMs !== null && bucketed.bucketMs >= 2500);
  for (const p of bucketed.processes) assert.ok(p.t_ms.length <= 8000, `${p.t_ms.length} points`);
  assert.deepEqual(bucketed.processes[0]!.t_ms, bucketed.processes[1]!.t_ms, 'one grid for every process');

  const a = buildSessionReport(rawRead).report.processes;
  const b = buildSessionReport(bucketed).report.processes;
  assert.deepEqual(b.map((p) => p.role), ['main', 'child', 'tree']);
  for (let i = 0; i < 3; i++) {
    assert.equal(b[i]!.classification, a[i]!.classification, `${b[i]!.role}: ${b[i]!.classification} vs ${a[i]!.classification}`);
    assert.ok(Math.abs(b[i]!.rate_mb_per_min! - a[i]!.rate_mb_per_min!) < 0.05 * Math.max(1, Math.abs(a[i]!.rate_mb_per_min!)), `${b[i]!.role}: ${b[i]!.rate_mb_per_min} vs ${a[i]!.rate_mb_per_min}`);
  }
  assert.equal(b[1]!.classification, 'growing');
  assert.ok(Math.abs(b[1]!.rate_mb_per_min! - 12) < 0.5, `${b[1]!.rate_mb_per_min}`);
  // exact figures from the raw samples
  assert.equal(b[1]!.samples, a[1]!.samples);
  assert.equal(b[1]!.samples, 6668);
  assert.equal(b[1]!.max_mb, a[1]!.max_mb);
  assert.ok(b[1]!.max_mb! > 1400, `the 900 MB blip survives: max ${b[1]!.max_mb}`);
  for (const k of ['first_mb', 'last_mb', 'min_mb'] as const) assert.equal(b[1]![k], a[1]![k], k);
  assert.equal(b[2]!.samples, 20_000, 'tree: ticks');
});
