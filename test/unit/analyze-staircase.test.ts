// A leak that allocates in a few big chunks (a starved process, a batch-sized cache) is a staircase: flat
// between steps, so the noise reads ~0 and the residuals are strongly correlated. Found on a real 90 MB/min
// leaker under load (three steps in 18 s were called "stable: flat within noise ±0.2 MB").
import test from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSeries } from '../../src/analyze/index.js';

function staircase(stepS: number, durS: number, mbPerMin: number): { t_s: number[]; mb: number[] } {
  const t_s: number[] = [];
  const mb: number[] = [];
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  for (let i = 0; i * 0.5 <= durS; i++) {
    const t = i * 0.5;
    t_s.push(t);
    mb.push(5.8 + (mbPerMin / 60) * stepS * Math.floor(t / stepS) + 0.1 * rand());
  }
  return { t_s, mb };
}

test('a staircase of a few big steps is never "stable"; with enough steps it is growing at its rate', () => {
  for (const stepS of [2, 3, 4, 5, 6]) { // (one step in the run is a one-off step: stable by contract)
    const a = analyzeSeries(staircase(stepS, 18, 90));
    assert.notEqual(a.classification, 'stable', `steps every ${stepS} s: ${a.classification} ${a.explanation}`);
    assert.notEqual(a.classification, 'plateau', `steps every ${stepS} s: ${a.classification}`);
  }
  const many = analyzeSeries(staircase(3, 60, 90));
  assert.equal(many.classification, 'growing');
  assert.ok(Math.abs(many.rate_mb_per_min! - 90) < 0.15 * 90, `rate ${many.rate_mb_per_min}`);
});
