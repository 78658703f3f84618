// The composed session: one decision of order, verdict words, driver and folding for every renderer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { writeTreeSession } from '../../helpers/session-db.js';
import { openDbForRead } from '../../../src/store/open-db.js';
import { readSession } from '../../../src/store/read-session.js';
import { analyseAndCompose, composeSession, orderWorstFirst, severityOf } from '../../../src/report/compose-session.js';
import { renderSessionText } from '../../../src/report/text-report.js';
import { buildSessionReport } from '../../../src/report/session-report.js';
import { renderSessionJson } from '../../../src/report/json-report.js';
import type { ProcessReport } from '../../../src/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-compose-'));
const file = path.join(dir, 'tree.db');
const id = writeTreeSession(file);
const db = openDbForRead(file);
const recorded = readSession(db, id);
db.close();
rmSync(dir, { recursive: true, force: true });

test('worst first: the tree total, the leaking worker, the slower main, then the cycling and stable workers', () => {
  const s = analyseAndCompose(recorded);
  const labels = s.rows.map((r) => r.label);
  assert.deepEqual(labels.slice(0, 3), ['tree total (python 4242 + 9 children)', 'pt_worker_1 4301 (child)', 'python 4242 (main)']);
  assert.equal(labels.at(-1), 'pt_worker_2 4302 (child)');
  for (let i = 1; i < s.rows.length; i++) assert.ok(severityOf(s.rows[i - 1]!.row.report) <= severityOf(s.rows[i]!.row.report), labels.join(', '));
  assert.deepEqual(s.rows.map((r) => r.rank), s.rows.map((_, i) => i));
});

test('the session verdict in words names the worst process, its rate and the tree driver', () => {
  const s = analyseAndCompose(recorded);
  assert.equal(s.status, 'leak');
  // 20 + 3 MB/min from the two growers, the sawtooth and the flat worker adding nothing.
  assert.match(s.headline, /^Growing: tree total \(python 4242 \+ 9 children\) is growing 2[23]\.\d MB\/min \([\d.]+–[\d.]+\), driven by pt_worker_1 4301 \(child\) at 20\.0 MB\/min\.$/);
  assert.equal(s.tree!.driver!.label, 'pt_worker_1 4301 (child)');
  assert.equal(s.tree!.members[0]!.row.label, 'python 4242 (main)');
  assert.ok(s.tree!.members.slice(1).every((m) => m.depth === 1));
  assert.equal(s.startMs, Date.parse('2026-11-20T08:00:00Z'));
});

test('short-lived children fold into one entry; stable ones are one-liners', () => {
  const s = analyseAndCompose(recorded);
  assert.equal(s.folded!.rows.length, 6);
  assert.match(s.folded!.text, /^6 short-lived children \(compile_helper ×6\): ≤ \d samples, .* each; in the tree total, not reported one by one$/);
  assert.ok(!s.rows.some((r) => r.row.report.name === 'compile_helper'));
  assert.deepEqual(s.rows.filter((r) => r.oneLine).map((r) => r.label), ['pt_worker_2 4302 (child)']);
});

test('with --max-rate, a FAIL ranks first and the headline says Leak with the bound', () => {
  const s = analyseAndCompose(recorded, { maxRate: 10 });
  assert.deepEqual(s.rows.slice(0, 2).map((r) => r.row.report.verdict), ['fail', 'fail']);
  assert.equal(s.rows[2]!.row.report.verdict, 'pass', 'the main grows 3 MB/min, under the bound');
  assert.match(s.headline, /^Leak: tree total .* is growing 2[23]\.\d MB\/min .* above the --max-rate 10 MB\/min bound, driven by pt_worker_1 4301 \(child\) at 20\.0 MB\/min; 2 rows fail\.$/);
  assert.match(s.rows[1]!.checkText!, /^FAIL pt_worker_1 4301: growing/);
});

test('the JSON renderer prints the documented Report, unchanged by composing (document order)', () => {
  const { report } = buildSessionReport(recorded);
  assert.equal(renderSessionJson(analyseAndCompose(recorded)), `${JSON.stringify(report)}\n`);
});

test('orderWorstFirst: fail < growing < insufficient < plateau < cycling < stable; faster growth first', () => {
  const row = (over: Partial<ProcessReport>) => ({ report: { pid: 1, name: 'p', cmdline: '', role: 'child', metric: 'uss', samples: 9, duration_s: 9, first_mb: 1, last_mb: 1, min_mb: 1, max_mb: 1, rate_mb_per_min: 0, rate_ci95_mb_per_min: null, classification: 'stable', ...over } as ProcessReport });
  const rows = [
    row({ pid: 1, classification: 'stable' }),
    row({ pid: 2, classification: 'cycling' }),
    row({ pid: 3, classification: 'growing', rate_mb_per_min: 2 }),
    row({ pid: 4, classification: 'insufficient-data', rate_mb_per_min: null }),
    row({ pid: 5, classification: 'growing', rate_mb_per_min: 9 }),
    row({ pid: 6, classification: 'plateau' }),
    row({ pid: 7, classification: 'growing', rate_mb_per_min: 1, verdict: 'fail' }),
  ];
  assert.deepEqual(orderWorstFirst(rows).map((r) => r.report.pid), [7, 5, 3, 4, 6, 2, 1]);
});

test("the tree logic's own short-lived summary (SessionReport.short_lived) folds into the same one line", () => {
  const { report, rows } = buildSessionReport(recorded);
  const kept = rows.filter((r) => r.report.name !== 'compile_helper');
  const summarised = {
    ...report,
    processes: kept.map((r) => r.report),
    short_lived: { count: 6, names: { compile_helper: 6 }, pids: [4400], max_samples: 3, max_lifetime_s: 4, max_mb: 3, metric: 'uss' as const, not_in_tree: 0 },
  };
  const s = composeSession(summarised, kept);
  assert.equal(s.folded!.count, 6);
  assert.match(s.folded!.text, /^6 short-lived children \(compile_helper ×6\): ≤ 3 samples, ≤ 4s, ≤ [\d.]+ MB [A-Z]+ each; in the tree total, not reported one by one/);
  assert.equal(s.tree!.row.label, 'tree total (python 4242 + 9 children)');
  assert.match(renderSessionText(s, { width: 100, color: false }), /^  \+ 6 more children, folded into one line below$/m);
});
