// The median of a large buffer (stats.ts: a sample brackets the middle, one pass, a select inside;
// Theil–Sen's 40,000 slopes): exactly the sorted middle, whatever the order, the ties and the
// shape, including the orders that put the bracket beside the middle (then quickselect as before).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, rng } from '../../src/analyze/stats.js';

function sortedMedian(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  return n % 2 ? s[n >> 1]! : (s[(n >> 1) - 1]! + s[n >> 1]!) / 2;
}

test('the median of 4,096 to 45,000 values is the sorted middle, to the bit', () => {
  const r = rng(7);
  const shapes: [string, (i: number, n: number) => number][] = [
    ['uniform', () => r()],
    ['slopes of a sawtooth', () => (r() - 0.5) * 1e-3 * (r() < 0.1 ? 50 : 1)],
    ['few distinct', () => Math.floor(r() * 7)],
    ['sorted', (i) => i],
    ['reversed', (i, n) => n - i],
    ['all equal', () => 42.5],
    ['heavy tail', () => 1 / (r() + 1e-9)],
    // the strided sample sees only the far tail: the bracket misses the middle
    ['sample beside the middle', (i, n) => (i % Math.floor(n / 512) === 0 ? 1e9 + i : r())],
    ['a middle of zeros', (i) => (i % 3 === 0 ? -1 - r() : i % 3 === 1 ? 1 + r() : 0)],
  ];
  for (const [name, f] of shapes) {
    for (const n of [4096, 4097, 11_175, 40_000, 44_999]) {
      const xs = Float64Array.from({ length: n }, (_, i) => f(i, n));
      const got = median(xs), want = sortedMedian(xs);
      assert.ok(Object.is(got, want) || (got === 0 && want === 0), `${name}, n ${n}: ${got} vs ${want}`);
    }
  }
});
