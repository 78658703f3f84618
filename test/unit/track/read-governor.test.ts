import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newGovernorState, recordCost, dueNow } from '../../../src/track/read-governor.js';

test('a cheap process is read every tick', () => {
  const g = newGovernorState();
  for (let i = 0; i < 10; i++) {
    assert.equal(dueNow(g), true);
    recordCost(g, 0.5, 20);
  }
  assert.equal(g.every, 1);
});

test('a giant process (40 ms per read, 20 ms budget) is read every 2nd tick, announced once', () => {
  const g = newGovernorState();
  const announced: boolean[] = [];
  for (let i = 0; i < 5; i++) announced.push(recordCost(g, 40, 20));
  assert.equal(g.every, 2);
  assert.deepEqual(announced.filter(Boolean).length, 1);
  // The read just recorded counts as one: the next comes k = 2 ticks after it.
  const pattern = Array.from({ length: 6 }, () => dueNow(g));
  assert.deepEqual(pattern, [false, true, false, true, false, true]);
});

test('one slow read among fast ones does not throttle (median of recent reads)', () => {
  const g = newGovernorState();
  for (const ms of [0.5, 0.6, 30, 0.5, 0.6]) recordCost(g, ms, 2);
  assert.equal(g.every, 1);
});
