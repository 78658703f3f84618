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
  const noId = Uint8Array.from(g.nodeTypes, (t) => (t === 'native' || t === 'synthetic' ? 1 : 0));
  // A node's type name depends on its type and, for some types, its name (className): look each
  // (type, name) pair up once, not a string per node (millions of nodes, thousands of names).
  const statOf: (TypeStat | undefined)[] = [];
  const T = g.nodeTypes.length;
  const { nodeType, nodeName, nodeSize, nodeId } = g;
  for (let n = 0; n < g.nodeCount; n++) {
    const size = nodeSize[n]!, id = nodeId[n]!, t = nodeType[n]!;
    if (id > maxId && !noId[t]) maxId = id;
    const key = nodeName[n]! * T + t;
    let s = statOf[key];
    if (s === undefined) {
      const name = className(g, n);
      s = types.get(name);
      if (!s) types.set(name, (s = { count: 0, bytes: 0 }));
      statOf[key] = s;
    }
    s.count++;
    s.bytes += size;
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
