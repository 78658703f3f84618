import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecimatingSeries } from '../../../src/track/decimating-series.js';

test('memory stays bounded while the whole run stays covered', () => {
  const s = new DecimatingSeries(64);
  for (let i = 0; i < 100_000; i++) s.push(i, 2 * i);
  assert.ok(s.length <= 64 && s.length >= 32, `length ${s.length}`);
  const snap = s.snapshot();
  assert.ok(snap.t_s[0]! < 2048, 'still starts near the beginning');
  assert.ok(snap.t_s[snap.t_s.length - 1]! > 90_000, 'reaches the end');
  // averaging preserves a linear relation exactly
  for (let i = 0; i < snap.t_s.length; i++) assert.equal(snap.mb[i], 2 * snap.t_s[i]!);
});
