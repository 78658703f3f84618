// Per-type totals of a heap snapshot, as DevTools' summary groups them, plus what the id-based diff
// needs: V8 object ids only grow, so "id above the first snapshot's maximum" means "allocated since".
import type { Census, TypeStat } from '../../types.js';
import { className, type HeapGraph } from './heap-graph.js';

export interface NodeCensus extends Census {
  maxId: number;
}

/** Count and self size per type. */
export function aggregateSnapshot(g: HeapGraph, file: string | null, t_s: number): NodeCensus {
  const types = new Map<string, TypeStat>();
  let bytes = 0;
  let maxId = 0;
  // Embedder (native) and synthetic nodes get ids from other ranges (some look like addresses);
  // only V8 heap objects' ids grow with allocation.
  const skip = new Set([g.nodeTypes.indexOf('native'), g.nodeTypes.indexOf('synthetic')]);
  for (let n = 0; n < g.nodeCount; n++) {
    const size = g.nodeSize[n]!;
    const id = g.nodeId[n]!;
    if (id > maxId && !skip.has(g.nodeType[n]!)) maxId = id;
    const name = className(g, n);
    const s = types.get(name);
    if (s) (s.count++, (s.bytes += size));
    else types.set(name, { count: 1, bytes: size });
    bytes += size;
  }
  return { t_s, file, objects: g.nodeCount, bytes, types, maxId };
}

/**
 * Nodes of the given types in `g` allocated after `sinceId` (and, for the 3-snapshot technique, at
 * or before `untilId`): the suspects whose holders we look up.
 */
export function newInstances(g: HeapGraph, types: Set<string>, sinceId: number, untilId = Infinity): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let n = 0; n < g.nodeCount; n++) {
    const id = g.nodeId[n]!;
    if (id <= sinceId || id > untilId) continue;
    const name = className(g, n);
    if (!types.has(name)) continue;
    const list = out.get(name);
    if (list) list.push(n);
    else out.set(name, [n]);
  }
  return out;
}
