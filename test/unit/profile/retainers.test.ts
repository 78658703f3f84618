// Holder paths name the property chain that keeps instances alive, even when the snapshot is taken
// while a running function also holds them in a local (a stack root is a shorter, nameless path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { parseSnapshotFile } from '../../../src/profile/node/snapshot-parser.js';
import { className } from '../../../src/profile/node/heap-graph.js';
import { computeRetainers } from '../../../src/profile/node/retainers.js';
import { nameHolder, prepareHolderNaming } from '../../../src/profile/node/holder-names.js';

class RetainerProbe {
  constructor(readonly n: number) {}
}
const service = { registry: { cache: new Map<number, RetainerProbe>() } };
for (let i = 0; i < 500; i++) service.registry.cache.set(i, new RetainerProbe(i));

function snapshotWhileHolding(): string {
  const local = service.registry.cache; // on the stack while the snapshot is written
  const file = writeHeapSnapshot(path.join(mkdtempSync(path.join(tmpdir(), 'ld-ret-')), 'mid-call.heapsnapshot'));
  assert.ok(local.size > 0);
  return file;
}

test('a Map held by a local of the running function is still named by its property chain', () => {
  const g = parseSnapshotFile(snapshotWhileHolding());
  const probes: number[] = [];
  for (let n = 0; n < g.nodeCount; n++) if (className(g, n) === 'RetainerProbe') probes.push(n);
  assert.equal(probes.length, 500);
  const naming = prepareHolderNaming(g, computeRetainers(g));
  assert.deepEqual(new Set(probes.map((n) => nameHolder(naming, n))), new Set(['service.registry.cache (Map)']));
});
