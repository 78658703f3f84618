// leak-track's live view: a redrawn chart with a time axis on a terminal, a plain status line a minute
// elsewhere (CI logs must never get cursor movement), nothing under --quiet.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { LiveView, liveVsReport } from '../../../src/cli/live-view.js';
import type { TickSummary } from '../../../src/track/sampler.js';

const MiB = 1024 * 1024;

function sink(isTTY: boolean): { out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }; text: () => string } {
  let buf = '';
  const out = { isTTY, columns: 100, write: (s: string) => ((buf += s), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  return { out, text: () => buf };
}

function tick(i: number, dtMs: number): TickSummary {
  const mb = 200 + i * 0.5; // +0.5 MB per tick
  return { tick: i, elapsedMs: i * dtMs, processes: 3, main: null, treeBytes: (mb + 50) * MiB, treeMetric: 'pss', treeLeftOut: 0, mainBytes: mb * MiB, mainMetric: 'uss', costMs: 1, rows: [] };
}

test('on a terminal: the chart is redrawn in place, with elapsed-time labels under it', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const s = sink(true);
    const v = new LiveView({ out: s.out, mode: 'chart', plannedMs: 600_000, label: 'python3 4242', color: false });
    for (let i = 0; i < 40; i++) {
      v.update(tick(i, 5000));
      mock.timers.tick(300); // redraws are paced to a few a second
    }
    const text = s.text();
    assert.match(text, /\x1b\[\d+A\x1b\[J/, 'earlier frames are erased (cursor up, clear)');
    const last = text.split('\x1b[J').at(-1)!;
    assert.match(last, /└[─┬]+/, 'a time axis under the chart');
    assert.match(last, /\b0s\b.*\b1m00s\b/, 'elapsed-time labels at round steps');
    assert.match(last, /3m15s \/ 10m00s · 40 samples · 3 proc · main 220 MB USS · tree 270 MB PSS · tree \+6\.0 MB\/min, growing/);
    v.finish();
    assert.ok(s.text().endsWith('\x1b[J'), 'finish() removes the chart before the summary');
  } finally {
    mock.timers.reset();
  }
});

test('off a terminal: a status line at the start, then one a minute, never cursor movement', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const s = sink(false);
    const v = new LiveView({ out: s.out, mode: 'lines', plannedMs: 0, label: 'x', color: false });
    for (let i = 0; i < 150; i++) {
      v.update(tick(i, 1000));
      mock.timers.tick(1000); // 150 ticks a second apart: lines at 0 s, 61 s, 122 s
    }
    v.finish();
    const lines = s.text().trimEnd().split('\n');
    assert.equal(lines.length, 4, s.text());
    assert.doesNotMatch(s.text(), /\x1b/);
    assert.match(lines[0]!, /^0s · 1 samples · 3 proc · main 200 MB USS · tree 250 MB PSS · collecting…$/);
    assert.match(lines[1]!, /^1m01s · 62 samples/);
    assert.match(lines[3]!, /^2m29s · 150 samples .* \+30\.0 MB\/min, growing$/, 'the last line carries the rate so far');
  } finally {
    mock.timers.reset();
  }
});

test('--quiet: nothing at all, not even printed notices', () => {
  const s = sink(true);
  const v = new LiveView({ out: s.out, mode: 'quiet', plannedMs: 0, label: 'x', color: false });
  for (let i = 0; i < 30; i++) v.update(tick(i, 1000));
  v.print('leak-track: reading USS every 2nd tick');
  v.finish();
  assert.equal(s.text(), '');
});

test('the live line and the final verdict agree, or the summary says why (issue 21.2)', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const s = sink(false);
    const v = new LiveView({ out: s.out, mode: 'lines', plannedMs: 0, label: 'x', color: false });
    for (let i = 0; i < 70; i++) (v.update(tick(i, 1000)), mock.timers.tick(1000));
    v.finish();
    const shown = v.lastShown();
    assert.deepEqual(shown, { text: '+30.0 MB/min, growing', classification: 'growing', metric: 'pss' });
    const row = { classification: 'growing', rate_mb_per_min: 29.8, metric: 'pss', label: 'tree total', why: 'memory grows steadily' };
    assert.equal(liveVsReport(shown, row), null, 'the same story: nothing to add');
    const other = liveVsReport(shown, { ...row, classification: 'cycling', rate_mb_per_min: 0.2, why: 'memory rises and is released every ~8s' });
    assert.equal(other, 'The live line last read +30.0 MB/min, growing (PSS as it came in); the report reads tree total cycling +0.2 MB/min on PSS, judged after the whole run: memory rises and is released every ~8s');
    assert.equal(liveVsReport(null, row), null, 'a line that never showed a verdict has nothing to contradict');
  } finally {
    mock.timers.reset();
  }
});

test('the live rate is the headline row\'s: the main\'s USS while the target has no children, the tree\'s once it had', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const s = sink(false);
    const v = new LiveView({ out: s.out, mode: 'lines', plannedMs: 0, label: 'x', color: false });
    // one process: its USS grows 0.5 MB a tick; its PSS (the one-member tree) stays put
    for (let i = 0; i < 70; i++) (v.update({ ...tick(i, 1000), processes: 1, treeBytes: 300 * MiB }), mock.timers.tick(1000));
    v.finish();
    assert.match(s.text().trimEnd().split('\n').at(-1)!, /1 proc · main 235 MB USS · tree 300 MB PSS · main \+30\.0 MB\/min, growing$/);
    assert.deepEqual(v.lastShown(), { text: '+30.0 MB/min, growing', classification: 'growing', metric: 'uss' });
    const row = { classification: 'stable', rate_mb_per_min: 0.1, metric: 'pss', label: 'tree total', why: 'flat within noise' };
    assert.match(liveVsReport(v.lastShown(), row)!, /\(USS as it came in\); the report reads tree total stable \+0\.1 MB\/min on PSS, judged after the whole run/);
  } finally {
    mock.timers.reset();
  }
});
