// The dominator tree against a brute-force reference (v is dominated by d when removing d cuts every
// path from the root to v), on hand-built graphs and seeded random ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDominators } from '../../../src/profile/node/dominators.js';
import type { HeapGraph } from '../../../src/profile/node/heap-graph.js';
import { heapGraph } from '../../helpers/heap-graph.js';
import { rng } from '../../../src/analyze/stats.js';

const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
type Edge = [from: number, to: number, type?: string];

/** A HeapGraph of `n` objects (node 0 the root) with the given sizes and edges. */
function buildGraph(n: number, edgeList: Edge[], sizes?: number[]): HeapGraph {
  const nodes = Array.from({ length: n }, (_, i) => ({ type: 3, name: 0, id: i * 2 + 1, size: sizes?.[i] ?? 10 }));
  const edges = edgeList.map(([from, to, type]) => ({ from, to, type: EDGE_TYPES.indexOf(type ?? 'property'), name: 0 }));
  return heapGraph(['hidden', 'array', 'string', 'object'], EDGE_TYPES, ['x'], nodes, edges);
}

function reachable(n: number, edges: Edge[], removed: number): boolean[] {
  const seen = new Array<boolean>(n).fill(false);
  if (removed === 0) return seen;
  const stack = [0];
  seen[0] = true;
  while (stack.length) {
    const v = stack.pop()!;
    for (const [f, t, type] of edges) if (f === v && type !== 'weak' && !(f === 0 && type === 'shortcut') && t !== removed && !seen[t]) (seen[t] = true), stack.push(t);
  }
  return seen;
}

/** idom by definition: the strict dominator that every other strict dominator dominates. */
function bruteIdom(n: number, edges: Edge[]): number[] {
  const base = reachable(n, edges, -1);
  const doms: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (let d = 0; d < n; d++) {
    const r = reachable(n, edges, d);
    for (let v = 0; v < n; v++) if (base[v] && v !== d && !r[v]) doms[v]!.add(d);
  }
  return Array.from({ length: n }, (_, v) => {
    if (v === 0) return 0;
    if (!base[v]) return -1;
    for (const d of doms[v]!) if ([...doms[v]!].every((o) => o === d || doms[d]!.has(o))) return d;
    throw new Error(`no idom for ${v}`);
  });
}

function bruteRetained(n: number, edges: Edge[], sizes: number[]): number[] {
  const base = reachable(n, edges, -1);
  return Array.from({ length: n }, (_, d) => {
    if (!base[d]) return sizes[d]!;
    const r = reachable(n, edges, d);
    let s = 0;
    for (let v = 0; v < n; v++) if (base[v] && !r[v]) s += sizes[v]!;
    return s;
  });
}

test('the immediate dominator is not the BFS/DFS parent when a node is reached two ways', () => {
  //   0 → 1 → 2 → 4,  0 → 3 → 4,  4 → 5: idom(4) = 0 though both 2 and 3 reach it; 5 is under 4.
  const edges: Edge[] = [[0, 1], [1, 2], [2, 4], [0, 3], [3, 4], [4, 5]];
  const sizes = [0, 1, 2, 4, 8, 16];
  const d = computeDominators(buildGraph(6, edges, sizes));
  assert.deepEqual([...d.idom], [0, 0, 1, 0, 0, 4]);
  assert.deepEqual([...d.retained], [31, 3, 2, 4, 24, 16]);
});

test('weak edges and the root\'s shortcuts keep nothing alive; unreachable nodes keep their self size', () => {
  const edges: Edge[] = [[0, 1], [1, 2], [0, 2, 'weak'], [0, 3, 'shortcut'], [1, 3], [4, 1]];
  const d = computeDominators(buildGraph(5, edges, [0, 1, 2, 4, 8]));
  assert.deepEqual([...d.idom], [0, 0, 1, 1, -1]);
  assert.deepEqual([...d.retained], [7, 7, 2, 4, 8]);
});

test('a classic Lengauer–Tarjan example (semidominator ≠ idom) matches the brute force', () => {
  // Tarjan's 1979 paper graph, R=0 A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9 J=10 K=11 L=12
  const edges: Edge[] = [[0, 1], [0, 2], [0, 3], [1, 4], [2, 1], [2, 4], [2, 5], [3, 6], [3, 7], [4, 12], [5, 8], [6, 9],
    [7, 9], [7, 10], [8, 5], [8, 11], [9, 11], [10, 9], [11, 9], [11, 0], [12, 8]];
  const d = computeDominators(buildGraph(13, edges));
  assert.deepEqual([...d.idom], bruteIdom(13, edges));
  assert.deepEqual([...d.idom], [0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 7, 0, 4]);
});

test('seeded random graphs: idom and retained sizes equal the brute force', () => {
  const rand = rng(11);
  for (let trial = 0; trial < 60; trial++) {
    const n = 3 + Math.floor(rand() * 25);
    const m = Math.floor(rand() * n * 3);
    const edges: Edge[] = [];
    for (let i = 0; i < m; i++) {
      const t = rand();
      edges.push([Math.floor(rand() * n), Math.floor(rand() * n), t < 0.1 ? 'weak' : t < 0.15 ? 'shortcut' : t < 0.5 ? 'element' : 'property']);
    }
    const sizes = Array.from({ length: n }, () => Math.floor(rand() * 100));
    const d = computeDominators(buildGraph(n, edges, sizes));
    assert.deepEqual([...d.idom], bruteIdom(n, edges), `trial ${trial}: ${JSON.stringify(edges)}`);
    assert.deepEqual([...d.retained], bruteRetained(n, edges, sizes), `trial ${trial}`);
    // preorder: every idom comes before the node it dominates
    const pos = new Map([...d.order].map((v, i) => [v, i]));
    for (const v of d.order) assert.ok(pos.get(d.idom[v]!)! <= pos.get(v)!);
  }
});

test('a chain a million nodes deep does not overflow the stack', () => {
  const n = 1_000_000;
  const edges: Edge[] = [];
  for (let i = 0; i + 1 < n; i++) edges.push([i, i + 1]);
  const d = computeDominators(buildGraph(n, edges, new Array(n).fill(1)));
  assert.equal(d.idom[n - 1], n - 2);
  assert.equal(d.retained[0], n);
});
