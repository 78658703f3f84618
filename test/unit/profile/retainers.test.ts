// Holder paths name the property chain that keeps instances alive, even when the snapshot is taken
// while a running function also holds them in a local (a stack root is a shorter, nameless path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

test("a Map V8 also keeps in an identity map of its (Strong roots) is still named by its property chain", () => {
  // Seen in ~1 in 8 live captures of a service: "(Strong roots)" ─internal "87 / IdentityMapBase"→ the
  // cache's Map, two hops from the root, ahead of the real chain; every instance's path came out '?'.
  const file = snapshotWhileHolding();
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const m = j.snapshot.meta, nf = m.node_fields.length, ef = m.edge_fields.length;
  const field = (n: number, f: string) => j.nodes[n * nf + m.node_fields.indexOf(f)];
  const edgeStart: number[] = [];
  for (let n = 0, e = 0; n < j.snapshot.node_count; n++) (edgeStart[n] = e), (e += field(n, 'edge_count') * ef);
  const byName = (name: string) => Array.from({ length: j.snapshot.node_count }, (_, n) => n).find((n) => j.strings[field(n, 'name')] === name)!;
  const strong = byName('(Strong roots)');
  // the Map the "cache" property points to
  const cacheName = j.strings.indexOf('cache');
  let map = -1;
  for (let k = 0; k < j.edges.length; k += ef) if (j.edges[k + 1] === cacheName && m.edge_types[0][j.edges[k]] === 'property') map = j.edges[k + 2];
  assert.ok(strong >= 0 && map >= 0);
  j.strings.push('87 / IdentityMapBase');
  const at = edgeStart[strong]! + field(strong, 'edge_count') * ef;
  j.edges.splice(at, 0, m.edge_types[0].indexOf('internal'), j.strings.length - 1, map);
  j.nodes[strong * nf + m.node_fields.indexOf('edge_count')]++;
  j.snapshot.edge_count++;
  const planted = path.join(path.dirname(file), 'strong-roots.heapsnapshot');
  writeFileSync(planted, JSON.stringify(j));
  const g = parseSnapshotFile(planted);
  const probes: number[] = [];
  for (let n = 0; n < g.nodeCount; n++) if (className(g, n) === 'RetainerProbe') probes.push(n);
  const naming = prepareHolderNaming(g, computeRetainers(g));
  assert.deepEqual(new Set(probes.map((n) => nameHolder(naming, n))), new Set(['service.registry.cache (Map)']));
});
