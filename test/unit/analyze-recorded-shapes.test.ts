// The analysis on real recordings whose shape the tracker's cost governor made sparse: under load it
// reads USS only every 2nd–5th tick, and k changes during a run (fixtures/recordings/README.md). Each
// case pins a fix on the recorded data itself; the end-to-end verdicts through the bins are in
// test/unit/recordings.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeSeries, checkRate } from '../../src/analyze/index.js';
import type { SeriesAnalysis } from '../../src/analyze/index.js';
import { FIXTURES } from '../helpers/paths.js';
import { periodAtReads } from '../../src/analyze/drops.js';

/** The main process's USS readings of a recorded trace CSV (ticks where USS was not read are skipped, as the report does). */
function uss(file: string): { t_s: number[]; mb: number[]; ticks: number } {
  const [, ...rows] = readFileSync(path.join(FIXTURES, 'recordings', file), 'utf8').trim().split('\n');
  const cells = rows.map((r) => r.split(','));
  const main = cells[0]![1];
  const mine = cells.filter((c) => c[1] === main);
  const read = mine.filter((c) => c[4] !== '');
  return { t_s: read.map((c) => Number(c[0])), mb: read.map((c) => Number(c[4]) / 1048576), ticks: mine.length };
}

const says = (f: string, a: SeriesAnalysis) => `${f}: ${a.classification} ${a.rate_mb_per_min?.toFixed(1)} ${JSON.stringify(a.rate_ci95_mb_per_min?.map((v) => +v.toFixed(1)))} period ${a.period_s?.toFixed(2)} — ${a.explanation}`;

// cycler.py --amplitude 60 --period 4 --base 20: no leak. busy-2 read a grid period of 8 s (2 whole
// cycles: insufficient-data), busy-3 and busy-4 had their 5-reading cycles despiked flat ("stable"),
// busy-8 (every 5th tick for a while) had its releases bridged as excursions (troughs rising
// "117 MB/min"); loaded-2 is the governor's plain k = 1 → 2 switch after 8 s. busy-7's troughs rise
// 22.6 MB/min [0.9, 44.4] by reading late, not by growth: judged against the median step over all
// readings (dense for the first seconds) that rise counted as resolved and the cycler as "growing";
// against the lateness its own trough readings can have, it is not resolved.
const CYCLERS = ['cycler-loaded-2.csv', 'cycler-busy-2.csv', 'cycler-busy-3.csv', 'cycler-busy-4.csv', 'cycler-busy-7.csv', 'cycler-busy-8.csv', 'cycler-busy-long.csv'];

test('a flat 4 s cycler read sparsely and unevenly under load is cycling every ~4 s and passes a 5 MB/min gate', () => {
  for (const f of CYCLERS) {
    const s = uss(f);
    assert.ok(s.mb.length < 0.9 * s.ticks, `${f}: USS on ${s.mb.length} of ${s.ticks} ticks: not the sparse shape`);
    const a = analyzeSeries(s);
    assert.equal(a.classification, 'cycling', says(f, a));
    assert.ok(Math.abs(a.period_s! - 4) < 0.4, says(f, a));
    assert.equal(checkRate(a, 5).verdict, 'pass', says(f, a));
  }
});

test('a 30 MB/min leak under the same sawtooth, read as sparsely: growing at its rate, FAIL at 10', () => {
  // rec_sawtooth_leak.py --rate 30 --amplitude 60 --period 4, 90 s: USS every tick for ~24 s, then
  // every 2nd–5th: the later troughs read a whole short gap late. Without taking that lateness off,
  // sawleak-busy-1's troughs step up where the cadence halved and the interval is −5…70.
  for (const f of ['sawleak-busy-1.csv', 'sawleak-busy-2.csv']) {
    const s = uss(f);
    assert.ok(s.mb.length < 0.9 * s.ticks, `${f}: USS on ${s.mb.length} of ${s.ticks} ticks`);
    const a = analyzeSeries(s);
    assert.equal(a.classification, 'growing', says(f, a));
    assert.ok(Math.abs(a.rate_mb_per_min! - 30) <= 0.15 * 30, says(f, a));
    const [lo, hi] = a.rate_ci95_mb_per_min!;
    assert.ok(lo <= 30 && 30 <= hi, `interval misses 30: ${says(f, a)}`);
    assert.equal(checkRate(a, 10).verdict, 'fail', says(f, a));
  }
});

test('periodAtReads: a sawtooth read at uneven times is found; one-reading dips and spikes before each drop are not', () => {
  // readings every 1st–3rd tick of 0.25 s, as the governor gives them
  const t: number[] = [];
  for (let x = 0, k = 0; x < 48; k++) (t.push(x), (x += 0.25 * (1 + (k % 3))));
  const saw = t.map((x) => 20 + 15 * (x % 4));
  assert.ok(Math.abs(periodAtReads(t, saw, 0.5)! - 4) < 0.5, `period ${periodAtReads(t, saw, 0.5)}`);
  // USS dipping for one reading every 4 s (pages shared with a short-lived child) comes straight back
  const dips = t.map((x, i) => 80 - (i > 0 && Math.floor(x / 4) !== Math.floor(t[i - 1]! / 4) ? 50 : 0));
  assert.equal(periodAtReads(t, dips, 0.5), null);
  // a flat level with a short buffer before each release (a checkpoint, 1.2 s of every 8 s): the mean
  // sits near the trough
  const spikes = t.map((x) => 20 + (x % 8 > 6.8 ? 60 : 0));
  assert.equal(periodAtReads(t, spikes, 0.5), null);
  assert.equal(periodAtReads(t, t.map((x) => 20 + x), 0.5), null, 'a ramp has no releases');
});

test('an LRU read sparsely, flat on all but two readings that caught an item mid-eviction, is a plateau', () => {
  // lru-busy.csv: 66.8 MB on 36 of the 38 readings after the fill, +3.3 and +3.9 MB on two of the last
  // ones. Least squares reads 2.1 MB/min (−0.6…4.8) off those two; "it may be growing" needs the robust
  // slope of the end to read above the floor too, and it is 0.
  const s = uss('lru-busy.csv');
  const a = analyzeSeries(s);
  assert.equal(a.classification, 'plateau', says('lru-busy.csv', a));
  assert.equal(checkRate(a, 5).verdict, 'pass', says('lru-busy.csv', a));
});
