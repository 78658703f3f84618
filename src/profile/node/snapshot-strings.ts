// Which entries of a snapshot's strings table the analysis reads, and the names renumbered to the
// kept ones. The analysis reads the names of non-string nodes (class, function and synthetic-root
// names) and of named edges. The rest is the *contents* of the heap's strings (in the object-heavy
// bench set, 1.75 M of 3.6 M entries): skipped, never built as JS strings. Names only internal edges
// use may be slot numbers (a Map's hash table: 1.85 M more there): those become INDEX_NAME. V8 writes
// the table after nodes and edges, so both are known by then.
//
//   file:  strings ["", "Foo", "r17", "cache", "12"]   node name 1, edge names 3 (property), 4 (internal)
//   kept:  ["", "[index]", "Foo", "cache"]             node name 2, edge names 3, 1; "r17" never built
import type { SnapshotMeta as Meta } from './heap-graph.js';
import type { EdgeArrays, NodeArrays } from './snapshot-arrays.js';

/** A plan's verdicts, per entry of the file's table (then overwritten by the kept entry's number). */
export const SKIP = 0, BUILD = 1, BUILD_UNLESS_DIGITS = 2;

const STRING_NODE_TYPES = new Set(['string', 'concatenated string', 'sliced string']);
const INDEX_EDGE_TYPES = new Set(['element', 'hidden']);

const typeFlags = (types: string[], set: Set<string>) => Uint8Array.from(types, (t) => (set.has(t) ? 1 : 0));

/** The verdict for each entry, and the largest name used (a corrupt one must not size the plan). */
export function planStrings(meta: Meta, nodes: NodeArrays, edges: EdgeArrays): { plan: Uint32Array | null; max: number } {
  const skipNode = typeFlags(meta.node_types[0], STRING_NODE_TYPES);
  const indexEdge = typeFlags(meta.edge_types[0], INDEX_EDGE_TYPES);
  const { nodeName, nodeType } = nodes, { edgeName, edgeType } = edges;
  let max = 0;
  for (let n = 0; n < nodeName.length; n++) if (nodeName[n]! > max) max = nodeName[n]!;
  for (let e = 0; e < edgeName.length; e++) if (!indexEdge[edgeType[e]!] && edgeName[e]! > max) max = edgeName[e]!;
  if (max > 0xfffffff) return { plan: null, max }; // implausible: keep every string rather than size a huge plan
  const plan = new Uint32Array(max + 1);
  const internal = meta.edge_types[0].indexOf('internal');
  for (let e = 0; e < edgeName.length; e++) {
    const t = edgeType[e]!, s = edgeName[e]!;
    if (!indexEdge[t]) plan[s] = t === internal && plan[s] !== BUILD ? BUILD_UNLESS_DIGITS : BUILD;
  }
  for (let n = 0; n < nodeName.length; n++) if (!skipNode[nodeType[n]!]) plan[nodeName[n]!] = BUILD;
  return { plan, max };
}

/**
 * Every name must land inside the table (`count` entries): a bad one would invent types. Null when
 * all do; with a plan, the names are renumbered to the kept entries on the way (skipped → 0, '').
 * Element and hidden edges keep their index.
 */
export function checkNames(meta: Meta, nodes: NodeArrays, edges: EdgeArrays, count: number, kept: Uint32Array | null): string | null {
  const indexEdge = typeFlags(meta.edge_types[0], INDEX_EDGE_TYPES);
  const { nodeName } = nodes, { edgeName, edgeType } = edges;
  for (let n = 0; n < nodeName.length; n++) {
    const s = nodeName[n]!;
    if (s >= count) return `node ${n} names string ${s}, past the ${count} strings (truncated strings table?)`;
    if (kept) nodeName[n] = kept[s]!;
  }
  for (let e = 0; e < edgeName.length; e++) {
    if (indexEdge[edgeType[e]!]) continue;
    const s = edgeName[e]!;
    if (s >= count) return `edge ${e} names string ${s}, past the ${count} strings (truncated strings table?)`;
    if (kept) edgeName[e] = kept[s]!;
  }
  return null;
}
