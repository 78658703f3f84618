// Dominator tree and retained sizes of a heap snapshot, over typed arrays (Lengauer–Tarjan, the
// "simple" variant with path compression, iterative so a million-deep chain cannot overflow the stack).
// A node's retained size is what the GC would free if that node went away: its own size plus the
// sizes of every node it dominates (every path from the root to them passes through it).
//
//   root ─► a ─► c        idom(c) = root, not a: c is also reached through b,
//        └► b ─┘          so neither a nor b alone keeps c alive.
//
// Weak edges keep nothing alive and are ignored; so are the root's shortcut edges, as in Chrome
// DevTools' HeapSnapshot worker. Work is in DFS-preorder numbers (0 = the root), so the arrays are
// sized by the reachable nodes and every idom has a smaller number than the node it dominates.
import type { HeapGraph } from './heap-graph.js';

export interface Dominators {
  /** Immediate dominator of every node (node index); the root's is itself; -1 where unreachable. */
  idom: Int32Array;
  /** Retained size of every node (its self size where unreachable). */
  retained: Float64Array;
  /** Reachable nodes in DFS preorder: a node's idom always comes before it. */
  order: Int32Array;
  /** Spent scratch arrays (node count long), for later stages to reuse instead of allocating more. */
  scratch: Int32Array[];
}

/** Compute the dominator tree and retained sizes of `g` from its root (node 0). */
export function computeDominators(g: HeapGraph): Dominators {
  const N = g.nodeCount;
  const { edgeType, edgeTo, firstEdge: first } = g;
  const weak = g.edgeTypes.indexOf('weak');
  const shortcut = g.edgeTypes.indexOf('shortcut');

  // 1. Iterative DFS: preorder numbers, the DFS tree's parents; and on the way, each strong edge being
  // seen exactly once, the first half of step 2: a node's predecessors numbered after it are counted,
  // the smallest numbered before it goes straight into semi. Only the later ones are stored below: one
  // numbered before the node (its DFS parent, at least) is not yet in the forest when the node's
  // semidominator is computed, so it is its own candidate and only the smallest counts.
  const dfn = new Int32Array(N).fill(-1);
  const vertex = new Int32Array(N); // preorder number → node
  const parent = new Int32Array(N); // preorder number → parent's preorder number
  const stackNode = new Int32Array(N);
  const stackEdge = new Uint32Array(N);
  const shared = new ArrayBuffer(N * 8);
  const semi = new Int32Array(shared, 0, N);
  const predStart = new Uint32Array(N + 1); // count of later predecessors of preorder w, at w + 1
  // The node being walked and its edge cursor live in locals; the stack holds the nodes above it.
  let count = 0, sp = 0;
  let n = 0, v = 0, e = first[0]!, end = first[1]!;
  dfn[0] = count;
  semi[count] = count;
  vertex[count++] = 0;
  for (;;) {
    if (e < end) {
      const t = edgeType[e]!, to = edgeTo[e]!;
      e++;
      if (t === weak || (n === 0 && t === shortcut)) continue;
      const w = dfn[to]!;
      if (w !== -1) {
        if (v < w) {
          if (v < semi[w]!) semi[w] = v;
        } else if (v > w) predStart[w + 1] = predStart[w + 1]! + 1;
        continue;
      }
      stackNode[sp] = n;
      stackEdge[sp++] = e;
      dfn[to] = count;
      parent[count] = v;
      semi[count] = v; // the tree edge: its parent, the smallest predecessor seen so far
      vertex[count] = to;
      (n = to), (v = count++), (e = first[to]!), (end = first[to + 1]!);
    } else {
      if (sp === 0) break;
      n = stackNode[--sp]!;
      v = dfn[n]!;
      e = stackEdge[sp]!;
      end = first[n + 1]!;
    }
  }
  const R = count;

  // 2. The later predecessors of every reachable node, in preorder numbers (CSR: predStart/preds).
  // (Walking the nodes in file order, so the edge arrays are read front to back.)
  for (let v = 0; v < R; v++) predStart[v + 1] = predStart[v + 1]! + predStart[v]!;
  const preds = new Int32Array(predStart[R]!);
  const fill = stackEdge; // the DFS stack is free again: reuse it as the fill cursor
  fill.set(predStart.subarray(0, R));
  for (let n = 0; n < N; n++) {
    const v = dfn[n]!;
    if (v < 0) continue;
    const root = n === 0;
    for (let e = first[n]!, end = first[n + 1]!; e < end; e++) {
      const t = edgeType[e]!;
      if (t === weak || (root && t === shortcut)) continue;
      const k = dfn[edgeTo[e]!]!;
      if (v <= k) continue;
      preds[fill[k]!] = v;
      fill[k] = fill[k]! + 1;
    }
  }

  // 3. Semidominators, then immediate dominators (all in preorder numbers).
  // Memory is the limit on big snapshots, so spent arrays are reused: semi and ancestor share one
  // buffer that becomes the retained sizes; an idom is set only after its node's DFS parent was last
  // read, so idoms overwrite parents; the DFS stack becomes the buckets; dfn becomes the path stack.
  const ancestor = new Int32Array(shared, N * 4, R).fill(-1);
  const label = new Int32Array(N);
  const idomD = parent;
  const bucketHead = stackNode.fill(-1, 0, R);
  const bucketNext = new Int32Array(stackEdge.buffer, 0, R);
  const path = dfn;
  for (let v = 0; v < R; v++) label[v] = v;
  const evaluate = (v: number): number => {
    if (ancestor[v] === -1) return v;
    // compress the ancestor chain of v, nearest-to-root first
    let top = 0, x = v;
    while (ancestor[ancestor[x]!] !== -1) (path[top++] = x), (x = ancestor[x]!);
    while (top > 0) {
      const y = path[--top]!;
      const a = ancestor[y]!;
      if (semi[label[a]!]! < semi[label[y]!]!) label[y] = label[a]!;
      ancestor[y] = ancestor[a]!;
    }
    return label[v]!;
  };
  for (let w = R - 1; w > 0; w--) {
    for (let i = predStart[w]!; i < predStart[w + 1]!; i++) {
      const u = evaluate(preds[i]!);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    bucketNext[w] = bucketHead[semi[w]!]!;
    bucketHead[semi[w]!] = w;
    const p = parent[w]!;
    ancestor[w] = p;
    for (let v = bucketHead[p]!; v !== -1; v = bucketNext[v]!) {
      const u = evaluate(v);
      idomD[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let w = 1; w < R; w++) if (idomD[w] !== semi[w]) idomD[w] = idomD[idomD[w]!]!;

  // 4. Back to node indices; retained sizes summed bottom-up (reverse preorder).
  const idom = label.fill(-1); // label is spent
  idom[0] = 0;
  for (let w = R - 1; w > 0; w--) idom[vertex[w]!] = vertex[idomD[w]!]!;
  const retained = new Float64Array(shared); // semi and ancestor are spent
  const size = g.nodeSize;
  for (let n = 0; n < N; n++) retained[n] = size[n]!;
  for (let w = R - 1; w > 0; w--) {
    const n = vertex[w]!, d = idom[n]!;
    retained[d] = retained[d]! + retained[n]!;
  }
  return { idom, retained, order: vertex.subarray(0, R), scratch: [dfn, parent, stackNode, new Int32Array(stackEdge.buffer)] };
}
