// A HeapGraph built by hand for unit tests, in the layout the parser produces (heap-graph.ts).
import type { HeapGraph } from '../../src/profile/node/heap-graph.js';

export interface TestNode { type: number; name: number; id: number; size: number }
export interface TestEdge { from: number; to: number; type: number; name: number }

/** Nodes in order; edges in any order (grouped by their source here, as V8 writes them). */
export function heapGraph(nodeTypes: string[], edgeTypes: string[], strings: string[], nodes: TestNode[], edges: TestEdge[]): HeapGraph {
  const N = nodes.length, E = edges.length;
  const byFrom = nodes.map(() => [] as TestEdge[]);
  for (const e of edges) byFrom[e.from]!.push(e);
  const g: HeapGraph = {
    nodeTypes, edgeTypes, strings, nodeCount: N, edgeCount: E,
    nodeType: new Uint8Array(N), nodeName: new Uint32Array(N), nodeId: new Uint32Array(N), nodeSize: new Uint32Array(N), firstEdge: new Uint32Array(N + 1),
    edgeType: new Uint8Array(E), edgeName: new Uint32Array(E), edgeTo: new Uint32Array(E),
  };
  let k = 0;
  nodes.forEach((x, n) => {
    (g.nodeType[n] = x.type), (g.nodeName[n] = x.name), (g.nodeId[n] = x.id), (g.nodeSize[n] = x.size), (g.firstEdge[n] = k);
    for (const e of byFrom[n]!) (g.edgeType[k] = e.type), (g.edgeName[k] = e.name), (g.edgeTo[k++] = e.to);
  });
  g.firstEdge[N] = k;
  return g;
}
