// A cycling process's rate is its troughs', with an honest interval (issue 21.2): flat troughs read a
// little late by a coarse sampling (the beat of period and interval) give an interval around 0, not
// "confidently shrinking" or growing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSeries } from '../../src/analyze/index.js';

/** psrecord-style readings of an 8 s, 200 MB cycle with troughs flat at 26 MB, every ~dt s (seeded jitter). */
function psrecordCycle(dt: number, duration: number, seed: number): { t_s: number[]; mb: number[] } {
  let s = seed;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const t_s: number[] = [];
  const mb: number[] = [];
  for (let t = 0.3 * r(); t < duration; t += dt * (0.97 + 0.06 * r())) {
    t_s.push(t);
    mb.push(26 + 200 * ((t % 8) / 8) + (r() - 0.5) * 0.2);
  }
  return { t_s, mb };
}

test('an 8 s, 200 MB cycle with flat troughs read every 0.5–1 s: cycling, and the interval holds 0', () => {
  // Seeds whose trough readings beat with the period: fitted as exact they read 4.4 [0.4, 8.5],
  // 1.9 [0.5, 3.3] and −2.2 [−3.8, −0.7] MB/min.
  for (const [dt, duration, seed] of [[0.5, 180, 19], [0.5, 300, 9], [0.5, 300, 17], [1, 180, 3], [1, 300, 3]] as const) {
    const a = analyzeSeries(psrecordCycle(dt, duration, seed));
    const what = `${dt} s × ${duration} s: ${a.classification} ${a.rate_mb_per_min?.toFixed(2)} ${JSON.stringify(a.rate_ci95_mb_per_min?.map((v) => +v.toFixed(2)))} — ${a.explanation}`;
    assert.equal(a.classification, 'cycling', what);
    const [lo, hi] = a.rate_ci95_mb_per_min!;
    assert.ok(lo <= 0 && hi >= 0, `the troughs are flat: ${what}`);
  }
});
