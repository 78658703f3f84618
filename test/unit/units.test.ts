import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseRate } from '../../src/units.js';
import { LeakError } from '../../src/errors.js';

test('parseDuration reads bare numbers in the given unit and suffixed values', () => {
  assert.equal(parseDuration('10', '--duration', 'min'), 600);
  assert.equal(parseDuration('0.5', '--duration', 'min'), 30);
  assert.equal(parseDuration('90s', '--duration', 'min'), 90);
  assert.equal(parseDuration('2h', '--interval', 's'), 7200);
  assert.equal(parseDuration('250ms', '--interval', 's'), 0.25);
  assert.equal(parseDuration('0', '--duration', 'min', { allowZero: true }), 0);
});

test('parseDuration rejects negatives, words and zero with a message naming the value', () => {
  for (const bad of ['-5', 'zero', '', '5x']) {
    assert.throws(() => parseDuration(bad, '--interval', 's'), (e: unknown) => {
      assert.ok(e instanceof LeakError);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /--interval/);
      assert.ok(e.message.includes(`\`${bad}\``), e.message);
      return true;
    });
  }
  assert.throws(() => parseDuration('0', '--interval', 's'), /greater than zero/);
});

test('parseRate converts to MB/min', () => {
  assert.equal(parseRate('50'), 50);
  assert.equal(parseRate('50MB/min'), 50);
  assert.equal(parseRate('3GB/h'), 3 * 1024 / 60);
  assert.equal(parseRate('1MB/s'), 60);
  assert.equal(parseRate('512KiB/min'), 0.5);
  assert.throws(() => parseRate('fast'), /--max-rate/);
  assert.throws(() => parseRate('0'), /greater than zero/);
});
