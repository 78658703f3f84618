// Who holds the new instances: the shortest path from the GC roots (weak edges ignored) to a sample
// of them, written the way a developer would name it: `processor.tokenizer._cache (Map)`.
import { className, firstEdges, type HeapGraph } from './heap-graph.js';

export interface Retainers {
  /** BFS parent of every node (-1: unreached), and the edge ordinal that reached it. */
  parent: Int32Array;
  parentEdge: Int32Array;
  /** First-edge ordinal of every node (see firstEdges), kept for the holder naming. */
  first: Uint32Array;
}

/**
 * Roots that only say what the thread was doing when the snapshot was taken: a Map that a running
 * callback had in a local is one hop from "(Stack roots)", yet what keeps it alive is the property
 * chain from a module or the global. Found on a live service: one capture in ten landed mid-callback
 * and the holder path came out empty.
 */
const TRANSIENT_ROOTS = new Set(['(Stack roots)', '(Handle scope)']);

/**
 * Breadth-first search from the root node over strong edges; paths through the transient roots only
 * for what nothing else reaches.
 */
export function computeRetainers(g: HeapGraph): Retainers {
  const first = firstEdges(g);
  const parent = new Int32Array(g.nodeCount).fill(-1);
  const parentEdge = new Int32Array(g.nodeCount).fill(-1);
  const weak = g.edgeTypes.indexOf('weak');
  const ef = g.edgeFieldCount;
  const nf = g.nodeFieldCount;
  const queue = new Int32Array(g.nodeCount);
  const deferred: [node: number, from: number, edge: number][] = [];
  let head = 0, tail = 0;
  queue[tail++] = 0;
  parent[0] = 0;
  const visit = (): void => {
    while (head < tail) {
      const n = queue[head++]!;
      for (let e = first[n]!; e < first[n + 1]!; e++) {
        if (g.edges[e * ef]! === weak) continue;
        const to = g.edges[e * ef + 2]! / nf;
        if (parent[to] !== -1) continue;
        if (n === 0 || parent[n] === 0) {
          // Synthetic roots sit right under the root, or under "(GC roots)".
          const name = g.strings[g.nodes[to * nf + g.fName]!] ?? '';
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
  return { parent, parentEdge, first };
}

/**
 * The holder path of one node: the named steps (variables, properties, indexes) from the innermost
 * variable binding down to the last named object before internal storage (a Map's table, an
 * Array's elements), e.g. `processor.tokenizer._cache (Map)`.
 */
export function holderPath(g: HeapGraph, r: Retainers, node: number): string | null {
  const steps: { name: string; kind: string; to: number }[] = [];
  let n = node;
  for (let guard = 0; n !== 0 && guard < 10_000; guard++) {
    const e = r.parentEdge[n]!;
    if (e < 0) return null;
    const ef = g.edgeFieldCount;
    const kind = g.edgeTypes[g.edges[e * ef]!] ?? '';
    const nameOrIndex = g.edges[e * ef + 1]!;
    const name = kind === 'element' || kind === 'hidden' ? `[${nameOrIndex}]` : (g.strings[nameOrIndex] ?? '?');
    steps.push({ name, kind, to: n });
    n = r.parent[n]!;
  }
  steps.reverse();
  // Start at the last variable binding (a context slot or a global's property).
  let start = -1;
  for (let i = 0; i < steps.length; i++) if (steps[i]!.kind === 'context') start = i;
  if (start < 0) {
    for (let i = 0; i < steps.length; i++) if (steps[i]!.kind === 'property' && isGlobal(g, r.parent[steps[i]!.to]!)) start = i;
  }
  if (start < 0) start = steps.findIndex((s) => s.kind === 'property');
  if (start < 0) return null;
  // End at the last property step before internal/element hops down to the instance itself.
  let end = start;
  for (let i = start; i < steps.length - 1; i++) {
    if (steps[i]!.kind === 'property' || steps[i]!.kind === 'context') end = i;
    else if (steps[i]!.kind === 'internal' || steps[i]!.kind === 'hidden') break;
  }
  const names = steps.slice(start, end + 1).map((s, i) => (s.kind === 'element' ? s.name : i === 0 ? s.name : `.${s.name}`));
  return `${names.join('').replace(/\.\[/g, '[')} (${className(g, steps[end]!.to)})`;
}

function isGlobal(g: HeapGraph, node: number): boolean {
  const name = className(g, node);
  return name === 'global' || name === 'Window' || name.startsWith('Window /');
}

/** The most common holder among a sample of instances, with its share of the sample. */
export function dominantHolder(g: HeapGraph, r: Retainers, instances: number[], sample = 200): { path: string; share: number } | null {
  const step = Math.max(1, Math.floor(instances.length / sample));
  const counts = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < instances.length; i += step) {
    const p = holderPath(g, r, instances[i]!);
    total++;
    if (p) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  let best: string | null = null, bestN = 0;
  for (const [p, c] of counts) if (c > bestN) (best = p), (bestN = c);
  return best ? { path: best, share: bestN / total } : null;
}
