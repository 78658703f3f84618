// assertNoLeak against real allocations in this process: a retained leak fails with its size and holder,
// garbage passes, the allowance is honoured, async functions are awaited.
import test from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeak, LeakAssertionError } from '../../../src/index.js';

class LeakedRecord {
  readonly payload: number[];
  constructor(readonly i: number) {
    this.payload = new Array(64).fill(i); // ~600 B per record with its elements
  }
}

test('a function that retains ~600 B per call fails, with the rate, its interval and the holder', async () => {
  const registry: LeakedRecord[] = [];
  const lines: string[] = [];
  const err = await assertNoLeak(() => void registry.push(new LeakedRecord(registry.length)), {
    iterations: 100, log: (l) => lines.push(l),
  }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof LeakAssertionError, 'must reject with a LeakAssertionError');
  const r = err.result;
  assert.equal(r.verdict, 'fail');
  assert.ok(r.growth_bytes_per_iteration > 400 && r.growth_bytes_per_iteration < 900, `growth ${r.growth_bytes_per_iteration}`);
  assert.ok(r.growth_ci95_bytes_per_iteration[0] > 256, 'the lower bound is what fails it');
  assert.match(err.message, /per iteration \(95 % CI .*\) over 100 iterations, more than the 256 B allowed/);
  assert.ok(r.growers.length > 0, 'names the growing constructors');
  const named = JSON.stringify(r.growers.map((g) => [g.type, g.retainer_path]));
  assert.equal(r.growers[0]?.type, 'LeakedRecord', `the user's class first (ranked by retained bytes): ${named}`);
  assert.match(r.growers[0]?.retainer_path ?? '', /registry \(Array\)/, `held through registry: ${named}`);
  assert.deepEqual(lines, err.message.split('\n'), 'printed as well as thrown');
});

test('garbage that is released passes with the default allowance, run after run', async () => {
  for (let k = 0; k < 3; k++) {
    const r = await assertNoLeak(() => JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ i, s: `v${i}` }))), { iterations: 150 });
    assert.equal(r.verdict, 'pass', `interval ${r.growth_ci95_bytes_per_iteration}`);
    assert.ok(r.growth_ci95_bytes_per_iteration[0] < 256);
  }
});

test('the allowance is per iteration: a 600 B/iteration leak passes under maxGrowth 2KB', async () => {
  const registry: LeakedRecord[] = [];
  const r = await assertNoLeak(() => void registry.push(new LeakedRecord(registry.length)), { iterations: 150, maxGrowth: '2KB' });
  assert.equal(r.verdict, 'pass');
  assert.ok(r.growth_bytes_per_iteration > 300, 'the growth is still measured');
});

test('async functions are awaited: a leak behind a promise is found', async () => {
  const held = new Map<number, Buffer>();
  const err = await assertNoLeak(async () => {
    await new Promise((r) => setImmediate(r));
    held.set(held.size, Buffer.alloc(4096, 1));
  }, { iterations: 40, maxGrowth: 1024, profileOnFailure: false, log: () => {} }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof LeakAssertionError);
  const g = err.result.growth_bytes_per_iteration;
  assert.ok(g > 3500 && g < 6000, `~4 KB per iteration, got ${g}`);
});

test('bad options are a TypeError naming the option', async () => {
  await assert.rejects(assertNoLeak(() => {}, { iterations: 1 }), /`iterations` must be a whole number ≥ 3/);
  await assert.rejects(assertNoLeak(() => {}, { maxGrowth: '1 parsec' }), /maxGrowth must be a size such as 1024, 1KB or 2MB/);
});
