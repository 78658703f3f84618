// Issue 21's named gaps, on the real recordings that show them (fixtures/recordings/README.md). Each
// series is the one the report analyses: the main's USS with the ticks between its readings carried by
// RSS (src/report/carry-by-rss.ts). The end-to-end verdicts through the bins are in
// test/unit/recordings.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { analyzeSeries, checkRate } from '../../src/analyze/index.js';
import type { SeriesAnalysis } from '../../src/analyze/index.js';
import { readTrace } from '../../src/store/read-trace.js';
import { carryByRss } from '../../src/report/carry-by-rss.js';
import { seriesOf } from '../../src/report/session-report.js';
import { FIXTURES } from '../helpers/paths.js';

function mainSeries(file: string): { t_s: number[]; mb: number[] } {
  const s = readTrace(path.join(FIXTURES, 'recordings', file));
  const p = s.processes[0]!;
  const t0 = Math.min(...s.processes.map((q) => q.t_ms[0] ?? Infinity));
  const c = carryByRss(p, 'uss');
  return seriesOf(c.carried ? { ...p, uss: c.values } : p, 'uss', t0);
}

const says = (f: string, a: SeriesAnalysis) => `${f}: ${a.classification} ${a.rate_mb_per_min?.toFixed(2)} ${JSON.stringify(a.rate_ci95_mb_per_min?.map((v) => +v.toFixed(2)))} — ${a.explanation}`;

test('a level shift under heavy-tailed buffers, read on a loaded box, is stable apart from one step', () => {
  // shape-tails.csv: the start-up took 12 s, a 130 MB buffer 12 s to touch (then dropped at once), the
  // +120 MB shift 12 s; it read "released in sharp drops, fewer than 2 whole cycles" (insufficient-data).
  const a = analyzeSeries(mainSeries('shape-tails.csv'));
  assert.equal(a.classification, 'stable', says('tails', a));
  assert.equal(a.model, 'step', says('tails', a));
  const [lo, hi] = a.rate_ci95_mb_per_min!;
  assert.ok(lo <= 0 && hi >= 0, says('tails', a));
  assert.equal(checkRate(a, 20).verdict, 'pass', says('tails', a));
});

test('a 5 MB/min leak under a 300 MB, 20 s cycle read every 2nd tick: growing 5 ±15 %', () => {
  // shape-slow-cycles.csv: the 7 lowest readings alone read 4.05 (2.66–5.45).
  const a = analyzeSeries(mainSeries('shape-slow-cycles.csv'));
  assert.equal(a.classification, 'growing', says('slow-cycles', a));
  assert.ok(Math.abs(a.rate_mb_per_min! - 5) <= 0.15 * 5, says('slow-cycles', a));
  const [lo, hi] = a.rate_ci95_mb_per_min!;
  assert.ok(lo <= 5 && hi >= 5, says('slow-cycles', a));
  assert.equal(checkRate(a, 2).verdict, 'fail', says('slow-cycles', a));
});

test('a pymalloc fragmentation staircase is growing, and FAILs a 20 MB/min gate', () => {
  // shape-fragment.csv: 6 steps of 34–74 MB every 30 s, flat between (σ 0.0002 MB); the AR(1)
  // interval around a line read "may be growing 94.7 (−185–375)".
  const a = analyzeSeries(mainSeries('shape-fragment.csv'));
  assert.equal(a.classification, 'growing', says('fragment', a));
  assert.equal(checkRate(a, 20).verdict, 'fail', says('fragment', a));
});

test('an 8 s, 200 MB cycle read every 2 s: cycling around 0 over 3 min, never growing nor stable over 16–40 s', () => {
  // cycler-8s-200-i2.csv (real, 4 readings per cycle). 20 s of it (2.5 cycles) read "growing 596
  // MB/min (169–1015)" as a line through the readings, and 16–30 s "stable" with ±9,000 MB/min.
  const s = mainSeries('cycler-8s-200-i2.csv');
  const whole = analyzeSeries(s);
  assert.equal(whole.classification, 'cycling', says('whole', whole));
  const [lo, hi] = whole.rate_ci95_mb_per_min!;
  assert.ok(lo <= 0 && hi >= 0, says('whole', whole));
  for (let start = 0; start < 60; start += 3) {
    for (let len = 16; len <= 40; len += 2) {
      const idx = s.t_s.flatMap((t, i) => (t >= start && t <= start + len ? [i] : []));
      const a = analyzeSeries({ t_s: idx.map((i) => s.t_s[i]!), mb: idx.map((i) => s.mb[i]!) });
      const at = says(`${start}+${len} s`, a);
      assert.ok(a.classification === 'cycling' || a.classification === 'insufficient-data', at);
      assert.notEqual(checkRate(a, 5).verdict, 'fail', at);
    }
  }
});
