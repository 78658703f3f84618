// Retained bytes grown per type, and which growers are another grower's internals. Measured on the
// last snapshot over the objects allocated since the first one (V8 ids only grow): a type's retained
// growth is the sum of the retained sizes of its new instances that no other new instance of the
// same type dominates (a linked list counts once, at its head). A type whose new instances are, for
// most of their bytes, dominated by new instances of a named (user) type is folded under that type:
//
//   PrefetchedBatch ─► Float64Array ─► ArrayBuffer ─► system / JSArrayBufferData
//   (all new; each dominated by the one before) → the three internals fold under PrefetchedBatch.
import type { Dominators } from './dominators.js';
import { className, type HeapGraph } from './heap-graph.js';

export interface RetainedGrowth {
  /** Retained bytes of each type's new, not self-nested instances. */
  retained: Map<string, number>;
  /** Type → the named type it is folded under. */
  foldedInto: Map<string, string>;
  /** Each type's counted new instances (node indexes), for holder paths and clusters. */
  instances: Map<string, Int32Array>;
}

/** Types whose name says nothing about the user's code: containers and V8 internals. */
export function isGenericType(t: string): boolean {
  return t.startsWith('(') || t.startsWith('system /') || t === 'Array' || t === 'Object';
}

/** Measure retained growth of `types` in `g` over the nodes with ids above `sinceId`. */
export function measureRetainedGrowth(g: HeapGraph, dom: Dominators, types: readonly string[], sinceId: number): RetainedGrowth {
  const N = g.nodeCount;
  const { nodeId, nodeType, nodeName } = g;
  const index = new Map(types.map((t, i) => [t, i]));
  const isNamed = types.map((t) => !isGenericType(t));
  const typeOf = (dom.scratch[0] ?? new Int32Array(N)).fill(-1);
  // className reads the name only for objects, natives and synthetic nodes ("(string)" for every
  // string): look each (type) or (type, name) up once, not per node.
  const byName = g.nodeTypes.map((t) => t === 'object' || t === 'native' || t === 'synthetic');
  const byType = new Int32Array(g.nodeTypes.length).fill(-2);
  const named = new Map<number, number>();
  const candidates = new Int32Array(types.length);
  for (let n = 0; n < N; n++) {
    if (nodeId[n]! <= sinceId || dom.idom[n]! < 0) continue;
    const type = nodeType[n]!;
    let t: number | undefined;
    if (byName[type]) {
      const key = nodeName[n]! * g.nodeTypes.length + type;
      t = named.get(key);
      if (t === undefined) named.set(key, (t = index.get(className(g, n)) ?? -1));
    } else {
      t = byType[type]!;
      if (t === -2) byType[type] = t = index.get(className(g, n)) ?? -1;
    }
    typeOf[n] = t;
    if (t >= 0) candidates[t]!++;
  }
  // Nearest strict dominator that is a new grower instance; preorder puts every idom first.
  const anc = (dom.scratch[1] ?? new Int32Array(N)).fill(-1);
  for (let i = 1; i < dom.order.length; i++) {
    const v = dom.order[i]!, d = dom.idom[v]!;
    anc[v] = typeOf[d]! >= 0 ? d : anc[d]!;
  }
  const retained = new Float64Array(types.length);
  // The counted instances of every type in one typed array, each type's in its own range (sized by the
  // candidates, of which nested ones are then left out): 4 bytes an instance, not a JS array's 8–12
  // (−7 MB of JS heap at the peak on the 249 MB strings-heavy set, 280 k new nodes).
  const start = new Int32Array(types.length + 1);
  for (let t = 0; t < types.length; t++) start[t + 1] = start[t]! + candidates[t]!;
  const list = new Int32Array(start[types.length]!);
  const kept = new Int32Array(types.length);
  const owners: Map<number, number>[] = types.map(() => new Map());
  for (let n = 0; n < N; n++) {
    const t = typeOf[n]!;
    if (t < 0) continue;
    let nested = false, top = -1;
    for (let a = anc[n]!, k = 0; a >= 0 && k < 64; a = anc[a]!, k++) {
      if (typeOf[a] === t) nested = true;
      if (isNamed[typeOf[a]!]) top = typeOf[a]!;
    }
    if (nested) continue;
    const r = dom.retained[n]!;
    retained[t] += r;
    list[start[t]! + kept[t]!++] = n;
    if (top >= 0 && top !== t) owners[t]!.set(top, (owners[t]!.get(top) ?? 0) + r);
  }
  const foldedInto = new Map<string, string>();
  types.forEach((t, i) => {
    let best = -1, bestBytes = 0;
    for (const [o, b] of owners[i]!) if (b > bestBytes) (best = o), (bestBytes = b);
    if (best >= 0 && bestBytes >= 0.5 * retained[i]!) foldedInto.set(t, types[best]!);
  });
  // A fold target is a row of its own: never fold a type into one that is itself folded.
  for (const [t, into] of [...foldedInto]) {
    let top = into;
    const seen = new Set([t]);
    while (foldedInto.has(top) && !seen.has(top)) (seen.add(top), (top = foldedInto.get(top)!));
    if (seen.has(top)) foldedInto.delete(t);
    else foldedInto.set(t, top);
  }
  return {
    retained: new Map(types.map((t, i) => [t, retained[i]!])),
    foldedInto,
    instances: new Map(types.map((t, i) => [t, list.subarray(start[i]!, start[i]! + kept[i]!)])),
  };
}
