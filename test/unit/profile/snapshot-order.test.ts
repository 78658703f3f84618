// Offline snapshots: order from V8's ids, spacing from the caller, --interval or the snapshot's own
// clock, and a plain "unknown" (no rates) otherwise: never file times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderSnapshots } from '../../../src/profile/node/snapshot-order.js';

test('files given newest first are put back in id order, and that is said', () => {
  const o = orderSnapshots([{ file: 'c', maxId: 900 }, { file: 'b', maxId: 500 }, { file: 'a', maxId: 100 }]);
  assert.deepEqual(o.order, [2, 1, 0]);
  assert.equal(o.timing, 'unknown');
  assert.deepEqual(o.t_s, [0, 0, 0]);
  assert.match(o.notes[0]!, /given out of order; analysed in the order V8's object ids say they were taken: a, b, c/);
  assert.match(o.notes[1]!, /time between the snapshots is unknown .* give --interval SECONDS/);
});

test('--interval states the spacing; in-order files get no reordering note', () => {
  const o = orderSnapshots([{ file: 'a', maxId: 1 }, { file: 'b', maxId: 2 }, { file: 'c', maxId: 3 }], 30);
  assert.deepEqual(o, { order: [0, 1, 2], t_s: [0, 30, 60], timing: 'interval', notes: [] });
});

test('the snapshots\' own clock is used when every one has it and it agrees with the ids', () => {
  const o = orderSnapshots([{ file: 'b', maxId: 20, ownClock_us: 7_500_000 }, { file: 'a', maxId: 10, ownClock_us: 2_500_000 }]);
  assert.deepEqual([o.order, o.t_s, o.timing], [[1, 0], [0, 5], 'snapshot']);
  const bad = orderSnapshots([{ file: 'a', maxId: 10, ownClock_us: 9 }, { file: 'b', maxId: 20, ownClock_us: 3 }]);
  assert.equal(bad.timing, 'unknown');
});

test('measured times (a live capture) are kept as given; two files with one largest id are flagged', () => {
  const m = orderSnapshots([{ file: 'a', maxId: 10, t_s: 3 }, { file: 'b', maxId: 20, t_s: 33 }]);
  assert.deepEqual([m.t_s, m.timing], [[0, 30], 'measured']);
  const same = orderSnapshots([{ file: 'a', maxId: 10 }, { file: 'a-copy', maxId: 10 }], 5);
  assert.match(same.notes[0]!, /a and a-copy have the same largest object id/);
});
