// A profile taken while tracking must not change the verdict: the fit leaves its windows out and
// models the slack and the step it leaves behind. Shapes measured on a real Node leak (a heap snapshot
// inflates the process by ~45 MB, freed to the allocator, which the leak then refills).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSeries, leaveOutWindows } from '../../../src/analyze/index.js';
import { confidentGrowth } from '../../../src/explain/growth-watch.js';

/** A 60 MB/min leak read every second for 120 s, with ±0.3 MB of deterministic wobble. */
function leak(profile: 'none' | 'slack' | 'drop' | 'step'): { t_s: number[]; mb: number[] } {
  const t_s: number[] = [];
  const mb: number[] = [];
  for (let t = 0; t <= 120; t++) {
    const trend = 100 + t; // 60 MB/min
    let y = trend + 0.3 * Math.sin(t * 1.7);
    if (profile !== 'none' && t >= 30 && t <= 40) y = trend + 45; // the capture's own memory
    if (profile === 'slack' && t > 40) y = Math.max(y, 140 + 45); // freed, kept, refilled by the leak
    if (profile === 'drop' && t > 40) y -= 20; // the capture's full GC freed garbage for good
    if (profile === 'step' && t > 40) y += 20; // memory the capture kept for good (the leak goes on)
    t_s.push(t);
    mb.push(y);
  }
  return { t_s, mb };
}
const WINDOWS = [{ start_s: 30, end_s: 40 }];

for (const shape of ['slack', 'drop', 'step'] as const) {
  test(`a profile's ${shape} is left out: the same class and rate as without the profile`, () => {
    const clean = analyzeSeries(leak('none'));
    const s = leak(shape);
    const raw = analyzeSeries(s);
    const fit = leaveOutWindows(s.t_s, s.mb, WINDOWS, 1);
    const a = analyzeSeries(fit);
    assert.equal(clean.classification, 'growing');
    assert.equal(a.classification, clean.classification);
    assert.ok(Math.abs(a.rate_mb_per_min! - 60) < 3, `rate ${a.rate_mb_per_min} with windows left out`);
    assert.ok(fit.left_out >= 11, `left out ${fit.left_out}`);
    // and the disturbance does change the fit when it is not left out (the test can fail). A drop no
    // longer does: the analysis reads the spike as an excursion and the drop after it as a level
    // shift by itself (issue 21's transients and level shifts), so only its left-out count is pinned.
    if (shape !== 'drop') assert.ok(raw.classification !== 'growing' || Math.abs(raw.rate_mb_per_min! - 60) > 3, `raw: ${raw.classification} ${raw.rate_mb_per_min}`);
    else assert.ok(raw.classification === 'growing' && Math.abs(raw.rate_mb_per_min! - 60) < 3, `raw: ${raw.classification} ${raw.rate_mb_per_min}`);
  });
}

test('the slack holds the window open until the series is back on its trend', () => {
  const s = leak('slack');
  const fit = leaveOutWindows(s.t_s, s.mb, WINDOWS, 1);
  // flat at 185 MB until the trend (100 + t) reaches it at t = 85
  assert.ok(fit.t_s.every((t) => t < 30 || t >= 84), `kept: ${fit.t_s.filter((t) => t >= 30).slice(0, 5)}`);
});

test('a step kept for good is modelled, not left out to the end: the samples after it stay in the fit', () => {
  const s = leak('step');
  const fit = leaveOutWindows(s.t_s, s.mb, WINDOWS, 1);
  assert.ok(fit.t_s.includes(100), 'the samples after the step are kept');
  assert.ok(fit.left_out < 15, `left out ${fit.left_out}`);
});

test('no window: the series as it is', () => {
  const s = leak('none');
  assert.deepEqual(leaveOutWindows(s.t_s, s.mb, []), { ...s, left_out: 0 });
});

test('confidentGrowth: a leak, with its rate; a sawtooth, a plateau and a flat line never', () => {
  const s = leak('none');
  const g = confidentGrowth(s.t_s, s.mb, []);
  assert.ok(g && Math.abs(g.rate - 60) < 2 && g.ci[0] > 0.5, JSON.stringify(g));
  const t = Array.from({ length: 121 }, (_, i) => i);
  assert.equal(confidentGrowth(t, t.map((x) => 100 + (x % 20) * 3), []), null, 'sawtooth');
  assert.equal(confidentGrowth(t, t.map((x) => 100 + 80 * (1 - Math.exp(-x / 10)) + 0.2 * Math.sin(x)), []), null, 'plateau');
  assert.equal(confidentGrowth(t, t.map((x) => 100 + 0.2 * Math.sin(x)), []), null, 'flat');
  // above the floor but under --max-rate: not a reason to profile
  assert.equal(confidentGrowth(s.t_s, s.mb, [], { maxRate: 100 }), null, 'under --max-rate');
});
