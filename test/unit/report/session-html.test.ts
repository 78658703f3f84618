// The session page's layout without a browser: many stable processes go to one compact table with
// sparklines instead of a chart each, and the text report says them in one line under its table.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { writeSession, writeTreeSession, type MemberSpec } from '../../helpers/session-db.js';
import { openDbForRead } from '../../../src/store/open-db.js';
import { readSession } from '../../../src/store/read-session.js';
import { analyseAndCompose } from '../../../src/report/compose-session.js';
import { renderSessionHtml, buildPageData, MAX_CHARTED_STABLE } from '../../../src/report/html/session-html.js';
import { renderSessionText, MAX_STABLE_LINES } from '../../../src/report/text-report.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-shtml-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function compose(file: string, id: number) {
  const db = openDbForRead(file);
  try {
    return analyseAndCompose(readSession(db, id));
  } finally {
    db.close();
  }
}

// A main growing 1 MB/min with 12 idle workers and one leaking 5 MB/min, 30 min at 2 s.
const wide = path.join(dir, 'wide.db');
const members: MemberSpec[] = [{ info: { pid: 100, ppid: 1, name: 'python', cmdline: 'python train.py', role: 'main' }, mb: (t) => 3000 + t / 60 }];
for (let i = 0; i < 13; i++) members.push({ info: { pid: 200 + i, ppid: 100, name: `worker_${i}`, cmdline: `w${i}`, role: 'child' }, mb: (t) => 400 + (i === 7 ? (5 * t) / 60 : 0) });
const wideId = writeSession(wide, 'wide', 2, 900, members);

test('many stable processes: one compact table with sparklines, charts only for the rest', () => {
  const s = compose(wide, wideId);
  assert.equal(s.rows.filter((r) => r.oneLine).length, 12);
  assert.ok(12 > MAX_CHARTED_STABLE);
  const html = renderSessionHtml(s);
  assert.equal((html.match(/<div class="chart" id="chart-\d+">/g) ?? []).length, 3, 'tree, worker_7, main');
  assert.equal(buildPageData(s).charts.length, 3);
  const stable = /<section id="stable">(.*?)<\/section>/s.exec(html)![1]!;
  assert.equal((stable.match(/<tr id="p-\d+">/g) ?? []).length, 12);
  assert.equal((stable.match(/<svg class="spark"/g) ?? []).length, 12);
  // Every summary-table link has its target on the page.
  for (const [, id] of html.matchAll(/href="#(p-\d+)"/g)) assert.ok(html.includes(`id="${id}"`), id);
});

test('few stable processes: each keeps its own (small) chart', () => {
  const tree = path.join(dir, 'tree.db');
  const s = compose(tree, writeTreeSession(tree));
  const html = renderSessionHtml(s);
  assert.equal((html.match(/<div class="chart"/g) ?? []).length, s.rows.length);
  assert.doesNotMatch(html, /<section id="stable">/);
});

test('text: past a handful, stable processes are one line each in the table and one summary line below', () => {
  const out = renderSessionText(compose(wide, wideId), { width: 100, color: false });
  assert.ok(12 > MAX_STABLE_LINES);
  for (let i = 0; i < 13; i++) if (i !== 7) assert.equal(out.split('\n').filter((l) => l.includes(`worker_${i} ${200 + i} `)).length, 1, `worker_${i}`);
  assert.match(out, /^  12 stable processes \(flat within noise; one line each in the table above\)$/m);
  assert.ok(out.split('\n').length < 80, `${out.split('\n').length} lines`);
});
