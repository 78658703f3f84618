// Who holds the new instances: the shortest strong path from the GC roots to every node (BFS parents),
// from which holder-names.ts writes paths the way a developer would name them.
import type { HeapGraph } from './heap-graph.js';

export interface Retainers {
  /** BFS parent of every node (-1: unreached), and the edge ordinal that reached it. */
  parent: Int32Array;
  parentEdge: Int32Array;
}

/**
 * Roots that only say what the thread was doing when the snapshot was taken: a Map that a running
 * callback had in a local is one hop from "(Stack roots)", yet what keeps it alive is the property
 * chain from a module or the global. Found on a live service: one capture in ten landed mid-callback
 * and the holder path came out empty. "(Strong roots)" likewise: V8's own tables (an identity map
 * that held a service's cache Map in ~1 in 8 live captures, "87 / IdentityMapBase") keep objects a
 * user's code holds too; what only V8 keeps is still reached, after everything else.
 */
const TRANSIENT_ROOTS = new Set(['(Stack roots)', '(Handle scope)', '(Strong roots)']);

/**
 * Breadth-first search from the root node over strong edges; paths through the transient roots only
 * for what nothing else reaches.
 */
export function computeRetainers(g: HeapGraph, scratch: Int32Array[] = []): Retainers {
  const { firstEdge: first, edgeType, edgeTo, nodeName, strings } = g;
  const parent = (scratch[0] ?? new Int32Array(g.nodeCount)).fill(-1);
  const parentEdge = (scratch[1] ?? new Int32Array(g.nodeCount)).fill(-1);
  const weak = g.edgeTypes.indexOf('weak');
  const queue = scratch[2] ?? new Int32Array(g.nodeCount);
  const deferred: [node: number, from: number, edge: number][] = [];
  let head = 0, tail = 0;
  queue[tail++] = 0;
  parent[0] = 0;
  const visit = (): void => {
    while (head < tail) {
      const n = queue[head++]!;
      for (let e = first[n]!; e < first[n + 1]!; e++) {
        if (edgeType[e]! === weak) continue;
        const to = edgeTo[e]!;
        if (parent[to] !== -1) continue;
        if (n === 0 || parent[n] === 0) {
          // Synthetic roots sit right under the root, or under "(GC roots)".
          const name = strings[nodeName[to]!] ?? '';
          if (TRANSIENT_ROOTS.has(name)) {
            deferred.push([to, n, e]);
            continue;
          }
        }
        parent[to] = n;
        parentEdge[to] = e;
        queue[tail++] = to;
      }
    }
  };
  visit();
  for (const [to, from, e] of deferred) {
    if (parent[to] !== -1) continue;
    parent[to] = from;
    parentEdge[to] = e;
    queue[tail++] = to;
  }
  visit();
  return { parent, parentEdge };
}
