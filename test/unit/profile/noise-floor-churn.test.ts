// The noise floor's retained-bytes door (a 40-byte object retaining 64 KB is a leak worth a line) is for
// what the *net* new objects retain. A bounded cache that replaces all its entries between snapshots
// has nothing but new entries, retaining hundreds of KB, while its count rose by a handful: that type
// is churn, not growth, and a stable service must not be told it grows (a live case: a Node LRU of 500
// samples, "(string) +6 objects, +176 B" reported as growing, admitted by 270 KB its 3,500 new,
// replacing strings retained).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { analyzeSnapshots } from '../../../src/profile/node/analyze-snapshots.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-churn-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** An LRU entry: small itself, ~1 KB retained (its array). */
class ChurnedEntry {
  constructor(readonly payload = new Array(128).fill(0).map((_, i) => i * 0.5)) {}
}
/** A real leak below both floors by its own bytes and count: 3 a snapshot, each 64 KB retained. */
class FewBigHolders {
  constructor(readonly data = new Float64Array(8192)) {}
}

const lru: ChurnedEntry[] = [];
const extra: ChurnedEntry[] = [];
const leak: FewBigHolders[] = [];
// V8 shrinks a class's objects once a few have been made (slack tracking): make them settle first
for (let i = 0; i < 20; i++) new FewBigHolders(new Float64Array(1));
const files = [0, 1, 2].map((k) => {
  lru.length = 0;
  for (let i = 0; i < 500; i++) lru.push(new ChurnedEntry()); // every entry replaced: all 500 are new each time
  if (k > 0) for (let i = 0; i < 3; i++) extra.push(new ChurnedEntry(), new ChurnedEntry()); // the count creeps up by 6 a step
  for (let i = 0; i < 3; i++) leak.push(new FewBigHolders());
  return writeHeapSnapshot(path.join(dir, `s${k}.heapsnapshot`));
});

test('a cache whose entries are all replaced, its count up by a few: not a grower; a few new objects retaining 64 KB each still are', () => {
  const rep = analyzeSnapshots(files.map((file) => ({ file })), { top: 50 });
  const row = (t: string) => rep.growing.find((g) => g.type === t);
  const seen = JSON.stringify(rep.growing.map((g) => [g.type, g.count_delta, g.bytes_delta, g.retained_bytes]));
  assert.equal(row('ChurnedEntry'), undefined, seen);
  assert.equal(row('Array'), undefined, `its entries' arrays are churn too: ${seen}`);
  const few = row('FewBigHolders');
  assert.ok(few, JSON.stringify(rep.growing.map((g) => g.type)));
  assert.equal(few.count_delta, 6);
  assert.ok(few.bytes_delta < 16 * 1024, `${few.bytes_delta} bytes of its own: in by what it retains`);
  assert.ok((few.retained_bytes ?? 0) >= 6 * 65536, String(few.retained_bytes));
});
