// Retained growth and folding on a hand-built heap: a user class retaining a typed array and its
// backing store is ranked by what it retains, with the array's types folded under it; a same-type
// chain (a linked list) is counted once, at its head; the order breaks if ranked by self size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDominators } from '../../../src/profile/node/dominators.js';
import type { HeapGraph } from '../../../src/profile/node/heap-graph.js';
import { heapGraph } from '../../helpers/heap-graph.js';
import { measureRetainedGrowth } from '../../../src/profile/node/retained-growth.js';
import { rankByRetained } from '../../../src/profile/diff.js';
import type { GrowingType } from '../../../src/types.js';

const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

/** Nodes as [type, name, id, self size]; edges as [from, to]. Node 0 is the synthetic root. */
function heap(nodes: [string, string, number, number][], edges: [number, number][]): HeapGraph {
  const strings = [...new Set(nodes.map((n) => n[1])), 'e'];
  return heapGraph(NODE_TYPES, EDGE_TYPES, strings,
    nodes.map(([type, name, id, size]) => ({ type: NODE_TYPES.indexOf(type), name: strings.indexOf(name), id, size })),
    edges.map(([from, to]) => ({ from, to, type: EDGE_TYPES.indexOf('property'), name: strings.length - 1 })));
}

// root → cache (old) → 2 × Batch → Float64Array → ArrayBuffer → backing store (64 KB)
//                    → 3 × Record (200 B each, no children)
//                    → Node → Node → Node (a linked list, 10 B each)
const g = heap([
  ['synthetic', '', 1, 0], ['object', 'Cache', 3, 50],
  ['object', 'Batch', 101, 40], ['object', 'Float64Array', 103, 96], ['object', 'ArrayBuffer', 105, 80], ['native', 'system / JSArrayBufferData', 107, 65536],
  ['object', 'Batch', 111, 40], ['object', 'Float64Array', 113, 96], ['object', 'ArrayBuffer', 115, 80], ['native', 'system / JSArrayBufferData', 117, 65536],
  ['object', 'Record', 121, 200], ['object', 'Record', 123, 200], ['object', 'Record', 125, 200],
  ['object', 'ListNode', 131, 10], ['object', 'ListNode', 133, 10], ['object', 'ListNode', 135, 10],
], [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [1, 6], [6, 7], [7, 8], [8, 9], [1, 10], [1, 11], [1, 12], [1, 13], [13, 14], [14, 15]]);
const TYPES = ['Batch', 'Float64Array', 'ArrayBuffer', 'system / JSArrayBufferData', 'Record', 'ListNode'];

test('retained growth per type; internals folded under the user class; a list counted at its head', () => {
  const rg = measureRetainedGrowth(g, computeDominators(g), TYPES, 10);
  assert.equal(rg.retained.get('Batch'), 2 * (40 + 96 + 80 + 65536));
  assert.equal(rg.retained.get('Float64Array'), 2 * (96 + 80 + 65536));
  assert.equal(rg.retained.get('Record'), 600);
  assert.equal(rg.retained.get('ListNode'), 30);
  assert.deepEqual([...rg.instances.get('ListNode')!], [13]);
  assert.deepEqual(Object.fromEntries(rg.foldedInto), { Float64Array: 'Batch', ArrayBuffer: 'Batch', 'system / JSArrayBufferData': 'Batch' });
  // objects older than the first snapshot (id ≤ sinceId) are not growth
  assert.equal(measureRetainedGrowth(g, computeDominators(g), TYPES, 200).retained.get('Batch'), 0);
});

test('ranked by retained bytes with folded rows under their owner; not by self bytes', () => {
  const rg = measureRetainedGrowth(g, computeDominators(g), TYPES, 10);
  const self: Record<string, number> = { Batch: 80, Float64Array: 192, ArrayBuffer: 160, 'system / JSArrayBufferData': 131072, Record: 600, ListNode: 30 };
  const rows: GrowingType[] = TYPES.map((type) => ({ type, counts: [0, 2], bytes: [0, self[type]!], count_delta: 2, bytes_delta: self[type]!, bytes_per_min: null,
    retainer_path: null, retained_bytes: rg.retained.get(type)!, folded_into: rg.foldedInto.get(type) ?? null }));
  const order = rankByRetained(rows.reverse()).map((r) => r.type);
  assert.deepEqual(order, ['Batch', 'Float64Array', 'ArrayBuffer', 'system / JSArrayBufferData', 'Record', 'ListNode']);
});
