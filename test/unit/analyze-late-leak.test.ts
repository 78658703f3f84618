// A leak that starts late in a short session: torch's import under load (14 s of an S-shaped climb,
// 4 → 116 MB) and then a 75 MB/min processor cache, recorded from launch as leak-track --explain saw it
// (fixtures/recordings/torch-import-late-leak.csv). Replayed prefix by prefix, as the live watch judges
// it tick by tick: never "stable" or "plateau", and growing at the allocated rate — confidently enough
// for --explain to profile it — once the leak has run 10 s. Before the fix every prefix from 11.5 s to
// 38 s read a line through import and leak (~400 MB/min, −1800–2500) and 6–7 s read "stable", so a
// 45 s run never profiled it (explain-python.test.ts's flake under load).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeSeries } from '../../src/analyze/index.js';
import { confidentGrowth } from '../../src/explain/growth-watch.js';
import { MIN_POINTS } from '../../src/explain/explainer.js';
import { FIXTURES } from '../helpers/paths.js';

/** The main process's readings of a recorded trace CSV, in MiB (column 3 RSS, 4 USS). */
function series(file: string, col: 3 | 4): { t_s: number[]; mb: number[] } {
  const [, ...rows] = readFileSync(path.join(FIXTURES, 'recordings', file), 'utf8').trim().split('\n');
  const cells = rows.map((r) => r.split(','));
  const read = cells.filter((c) => c[1] === cells[0]![1] && c[col] !== '');
  return { t_s: read.map((c) => Number(c[0])), mb: read.map((c) => Number(c[col]) / 1048576) };
}

const FILE = 'torch-import-late-leak.csv';
const RATE = 75; // 20 images/s × 64 KB kept
const IMPORT_END_S = 14.5; // the cache's first image (613 made in the last 30.6 s of 45)

test('torch import under load, then a 75 MB/min leak: no prefix reads stable or plateau; growing once the leak has run 10 s', () => {
  const uss = series(FILE, 4);
  const rss = series(FILE, 3);
  assert.equal(uss.t_s.length, 91, 'USS read on every tick of the 45 s');
  // the series the watch judges (growth-watch.ts seriesOf): RSS until USS has MIN_POINTS readings
  const prefix = (k: number) => {
    const s = k >= MIN_POINTS ? uss : rss;
    return { t_s: s.t_s.slice(0, k), mb: s.mb.slice(0, k) };
  };
  for (let k = 10; k <= uss.t_s.length; k++) {
    const p = prefix(k);
    const a = analyzeSeries(p);
    const at = `${k} readings (${p.t_s[k - 1]} s): ${a.classification} ${a.model} ${a.rate_mb_per_min?.toFixed(1)} ${JSON.stringify(a.rate_ci95_mb_per_min?.map((v) => +v.toFixed(1)))} — ${a.explanation}`;
    assert.notEqual(a.classification, 'stable', at);
    assert.notEqual(a.classification, 'plateau', at);
    if (p.t_s[k - 1]! >= IMPORT_END_S + 10) {
      assert.equal(a.classification, 'growing', at);
      assert.ok(Math.abs(a.rate_mb_per_min! - RATE) <= 0.15 * RATE, at);
      assert.ok(a.rate_ci95_mb_per_min![0] <= RATE && RATE <= a.rate_ci95_mb_per_min![1], at);
      assert.ok(confidentGrowth(p.t_s, p.mb, []), `--explain would not profile it: ${at}`);
    }
  }
});

test('another run, its import over in 8 s: no prefix of its RSS or USS reads stable or plateau (a step model read it "flat within noise apart from one step")', () => {
  const file = 'torch-import-early-profile.csv'; // cut where its --explain profile began
  for (const col of [3, 4] as const) {
    const s = series(file, col);
    assert.ok(s.t_s.length >= 50, `${s.t_s.length} readings`);
    for (let k = 10; k <= s.t_s.length; k++) {
      const a = analyzeSeries({ t_s: s.t_s.slice(0, k), mb: s.mb.slice(0, k) });
      const at = `${col === 3 ? 'RSS' : 'USS'}, ${k} readings (${s.t_s[k - 1]} s): ${a.classification} ${a.model} ${a.rate_mb_per_min?.toFixed(1)} — ${a.explanation}`;
      assert.notEqual(a.classification, 'stable', at);
      assert.notEqual(a.classification, 'plateau', at);
    }
  }
});
