// The composed session: one decision of order, verdict words, driver and folding for every renderer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { writeTreeSession } from '../../helpers/session-db.js';
import { openDbForRead } from '../../../src/store/open-db.js';
import { readSession } from '../../../src/store/read-session.js';
import { analyseAndCompose, orderWorstFirst, severityOf } from '../../../src/report/compose-session.js';
import { buildSessionReport } from '../../../src/report/session-report.js';
import { renderSessionJson } from '../../../src/report/json-report.js';
import type { ProcessReport } from '../../../src/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-compose-'));
const file = path.join(dir, 'tree.db');
const id = writeTreeSession(file);
const db = openDbForRead(file);
const recorded = readSession(db, id);
db.close();

test('worst first: the leaking worker, then the slower main, the cycling and stable workers last', () => {
  const s = analyseAndCompose(recorded);
  const labels = s.rows.map((r) => r.label);
  assert.equal(labels[0], 'pt_worker_1 4301 (child)');
  assert.equal(labels[1], 'python 4242 (main)');
  assert.equal(labels.at(-1), 'pt_worker_2 4302 (child)');
  for (let i = 1; i < s.rows.length; i++) assert.ok(severityOf(s.rows[i - 1]!.row.report) <= severityOf(s.rows[i]!.row.report), labels.join(', '));
  assert.deepEqual(s.rows.map((r) => r.rank), s.rows.map((_, i) => i));
});

test('the session verdict in words names the worst process, its rate and the tree driver', () => {
  const s = analyseAndCompose(recorded);
  assert.equal(s.status, 'leak');
  assert.match(s.headline, /^Growing: pt_worker_1 4301 \(child\) is growing 20\.0 MB\/min \(\d+\.\d–\d+\.\d\)\.$/);
  assert.equal(s.tree!.driver!.label, 'pt_worker_1 4301 (child)');
  assert.equal(s.tree!.members[0]!.row.label, 'python 4242 (main)');
  assert.ok(s.tree!.members.slice(1).every((m) => m.depth === 1));
  assert.equal(s.startMs, Date.parse('2026-11-20T08:00:00Z'));
});

test('short-lived children fold into one entry; stable ones are one-liners', () => {
  const s = analyseAndCompose(recorded);
  assert.equal(s.folded!.rows.length, 6);
  assert.match(s.folded!.text, /^6 short-lived children \(compile_helper ×6; ≤ \d samples, .*\): in the tree total/);
  assert.ok(!s.rows.some((r) => r.row.report.name === 'compile_helper'));
  assert.deepEqual(s.rows.filter((r) => r.oneLine).map((r) => r.label), ['pt_worker_2 4302 (child)']);
});

test('with --max-rate, a FAIL ranks first and the headline says Leak with the bound', () => {
  const s = analyseAndCompose(recorded, { maxRate: 10 });
  assert.equal(s.rows[0]!.row.report.verdict, 'fail');
  assert.match(s.headline, /^Leak: pt_worker_1 4301 \(child\) is growing 20\.0 MB\/min .* above the --max-rate 10 MB\/min bound/);
  assert.match(s.rows[0]!.checkText!, /^FAIL pt_worker_1 4301: growing/);
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
