// The text report's layout rules: table first and worst first, stable processes one line, short-lived
// children one line, a time axis, the baseline in its own glyph, every line within the width.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { writeTreeSession } from '../../helpers/session-db.js';
import { openDbForRead } from '../../../src/store/open-db.js';
import { readSession } from '../../../src/store/read-session.js';
import { analyseAndCompose } from '../../../src/report/compose-session.js';
import { renderSessionText } from '../../../src/report/text-report.js';
import { drawTimeChart, GLYPH, columnRanges } from '../../../src/report/time-chart.js';
import { terminalWidth } from '../../../src/cli/terminal-width.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-text-'));
const file = path.join(dir, 'tree.db');
const id = writeTreeSession(file);
const db = openDbForRead(file);
const composed = analyseAndCompose(readSession(db, id));
db.close();
after(() => rmSync(dir, { recursive: true, force: true }));
const text = (width: number) => renderSessionText(composed, { width, color: false });

test('the summary table comes first (after the title and verdict), worst first', () => {
  const lines = text(100).split('\n');
  assert.match(lines[0]!, /^session \d+ \(tree\)/);
  assert.match(lines[1]!, /^Growing: tree total \(python 4242 \+ 9 children\) is growing/);
  assert.match(lines.find((l) => l.startsWith('  PROCESS'))!, /^  PROCESS\s+CLASS\s+MB\/min\s+\(95 % CI\)\s+FIRST\s+LAST\s+PEAK$/);
  const tableStart = lines.findIndex((l) => l.startsWith('  PROCESS'));
  assert.ok(tableStart >= 3 && tableStart <= 4, 'title, verdict (one or two lines), a blank line, then the table');
  const names = lines.slice(tableStart + 1, tableStart + 6).map((l) => l.trim().split(/\s{2,}/)[0]!.replace(/…$/, ''));
  const want = ['tree total (python 4242 + 9 children)', 'pt_worker_1 4301 (child)', 'python 4242 (main)', 'pt_worker_3 4303 (child)', 'pt_worker_2 4302 (child)'];
  names.forEach((n, i) => assert.ok(n.length >= Math.min(18, want[i]!.length) && want[i]!.startsWith(n), `${n} vs ${want[i]}`));
  assert.match(lines[tableStart + 2]!, /growing\s+20\.0\s+\(\d+\.\d–\d+\.\d\)\s+500 MB\s+1100 MB\s+1100 MB$/);
  assert.ok(lines.findIndex((l) => l.includes('┤')) > 9, 'charts come after the table');
});

test('a stable process is one line and no chart; short-lived children are one line together', () => {
  const out = text(100);
  const stable = out.split('\n').filter((l) => l.includes('pt_worker_2 4302'));
  assert.equal(stable.length, 2, 'its table row and its one line');
  assert.match(stable[1]!, /^  pt_worker_2 4302 \(child\): stable [\d.]+ MB\/min .*: flat within noise/);
  assert.doesNotMatch(out, /pt_worker_2 4302 \(child\) \[uss\]/, 'no chart block for it');
  const folded = out.split('\n').filter((l) => l.includes('compile_helper'));
  assert.equal(folded.length, 1);
  assert.match(folded[0]!, /^6 short-lived children \(compile_helper ×6\): .* each; in the tree total, not reported one by one$/);
  assert.match(out, /^  \+ 6 more children, folded into one line below$/m);
  assert.equal((out.match(/┤/g) ?? []).length, 4 * 8, 'charts for the two growers, the tree and the cycling worker only');
});

test('charts have a time axis with elapsed-time labels under them', () => {
  const lines = text(100).split('\n');
  const axis = lines.findIndex((l) => /^\s+└[─┬]+$/.test(l));
  assert.ok(axis > 0);
  assert.match(lines[axis + 1]!, /^\s+0s\s+5m00s\s+10m00s\s+15m00s\s+20m00s\s+25m00s$/);
  assert.equal(lines[axis + 1]!.indexOf('0s'), lines[axis]!.indexOf('┬'), 'the first label sits under its tick');
});

test('the fitted baseline is drawn in its own glyph, never the data glyph', () => {
  const t = Array.from({ length: 200 }, (_, i) => i * 3);
  const mb = t.map((x) => 300 + ((x % 120) / 120) * 100); // sawtooth
  const base = { t_s: [0, 597], mb: [300, 300] };
  const chart = drawTimeChart({ t_s: t, mb }, base, { width: 80, height: 8 });
  const plot = chart.slice(0, 8).map((l) => l.slice(l.indexOf('┤') + 1));
  assert.ok(plot.join('').includes(GLYPH.data));
  assert.ok(plot[7]!.includes(GLYPH.baseline), plot[7]);
  assert.notEqual(GLYPH.baseline, GLYPH.data);
  const coloured = drawTimeChart({ t_s: t, mb }, base, { width: 80, height: 8, color: true }).join('\n');
  assert.match(coloured, /\x1b\[2m\x1b\[33m·\x1b\[0m/, 'dim yellow when colour is on');
  // In the report, the legend says which is which.
  assert.match(text(100), new RegExp(`${GLYPH.data} USS   ${GLYPH.baseline} fitted baseline \\(cycle troughs\\)`));
});

test('every line fits 60 and 160 columns; narrow drops columns, wide keeps them', () => {
  for (const width of [60, 160]) {
    const lines = text(width).split('\n');
    // All but the folded short-lived line, which stays whole on its own line.
    const over = lines.filter((l) => l.length > width && !l.includes('short-lived'));
    assert.deepEqual(over, [], `width ${width}`);
    const chartLine = lines.find((l) => l.includes('┤'))!;
    assert.ok(chartLine.length >= width - 4, `chart fills ${width}: ${chartLine.length}`);
  }
  assert.match(text(160), /PROCESS\s+CLASS\s+MB\/min\s+\(95 % CI\)\s+FIRST\s+LAST\s+PEAK/);
  assert.doesNotMatch(text(60).split('\n')[5] ?? '', /PEAK/);
});

test('column ranges keep the extremes of a sawtooth in every column', () => {
  const t = Array.from({ length: 1000 }, (_, i) => i);
  const mb = t.map((x) => (x % 10 < 5 ? 100 : 200));
  const cols = columnRanges({ t_s: t, mb }, 0, 999, 20);
  assert.ok(cols.every((c) => c![0] === 100 && c![1] === 200));
});

test('terminal width: $COLUMNS, else the TTY, else 100', () => {
  assert.equal(terminalWidth({ isTTY: false, columns: 80 }, {}), 100);
  assert.equal(terminalWidth({ isTTY: true, columns: 80 }, {}), 80);
  assert.equal(terminalWidth({ isTTY: true, columns: 80 }, { COLUMNS: '132' }), 132);
});

test('narrow with --max-rate: rate and verdict always stay; FIRST goes first, then PEAK, LAST, the interval', () => {
  const db2 = openDbForRead(file);
  const gated = analyseAndCompose(readSession(db2, id), { maxRate: 10 });
  db2.close();
  const seen = new Set<string>();
  for (let w = 50; w <= 160; w += 2) {
    const out = renderSessionText(gated, { width: w, color: false }).split('\n');
    assert.deepEqual(out.filter((l) => l.length > w && !l.includes('short-lived')), [], `width ${w}`);
    const head = out.find((l) => l.startsWith('  PROCESS'))!;
    const has = (c: string) => head.includes(c);
    assert.ok(has('MB/min') && has('VERDICT') && has('CLASS'), head);
    if (has('FIRST')) assert.ok(has('PEAK') && has('LAST') && has('(95 % CI)'), head);
    if (has('PEAK')) assert.ok(has('LAST') && has('(95 % CI)'), head);
    if (has('LAST')) assert.ok(has('(95 % CI)'), head);
    seen.add(['FIRST', 'PEAK', 'LAST', '(95 % CI)'].filter(has).join(' '));
    const row = out.find((l) => l.includes('pt_worker_1') && l.includes('FAIL'))!;
    assert.match(row, /growing\s+20\.0\s/, `width ${w}: ${row}`);
  }
  assert.ok(seen.has('FIRST PEAK LAST (95 % CI)') && seen.has(''), [...seen].join(' | '));
});
