// A parsed V8 heap snapshot held in typed arrays, one array per field the analysis reads (memory ∝
// node and edge counts, not file size). Fields the analysis never reads (trace_node_id, detachedness)
// are not kept; a node's edge_count is kept as the prefix sum `firstEdge`; an edge's to_node (an offset
// into the file's flat nodes array) is kept as the node's index.
//
//   node n: nodeType[n] nodeName[n] nodeId[n] nodeSize[n]   its edges: firstEdge[n] … firstEdge[n+1]-1
//   edge e: edgeType[e] edgeName[e] edgeTo[e]

/** The "meta" of a snapshot's header: what each number in nodes, edges, locations and samples is. */
export interface SnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
  location_fields?: string[];
  sample_fields?: string[];
}

export interface HeapGraph {
  nodeTypes: string[]; // 'hidden', 'object', …
  edgeTypes: string[]; // 'context', 'element', 'property', …
  nodeCount: number;
  edgeCount: number;
  /** Index into nodeTypes. */
  nodeType: Uint8Array;
  /** Index into strings. */
  nodeName: Uint32Array;
  /** V8's object id (they only grow within a process). Float64 only where a value passed 2^32. */
  nodeId: Uint32Array | Float64Array;
  /** Self size in bytes. Float64 only where a value passed 2^32. */
  nodeSize: Uint32Array | Float64Array;
  /** First edge of every node, nodeCount + 1 long: edges are stored node by node. */
  firstEdge: Uint32Array;
  /** Index into edgeTypes. */
  edgeType: Uint8Array;
  /** A string index (named edges) or an element/hidden index. */
  edgeName: Uint32Array;
  /** The node the edge points to (an index, not the file's offset). */
  edgeTo: Uint32Array;
  /**
   * The names the analysis reads, numbered anew (snapshot-strings.ts): 0 is '' (what a name the analysis
   * never reads, such as a heap string's contents, now points to), 1 is INDEX_NAME.
   */
  strings: string[];
  /** Optional: closures' source locations as (node index, 0-based line) pairs, in node order. */
  closureLines?: Uint32Array;
  /** Optional: allocation-tracking samples (timestamp_us, last_assigned_id), `sampleFields` per entry. */
  samples?: Float64Array;
  sampleFields?: string[];
  /** The "snapshot" header without its meta (title, uid, node_count, … and any writer's extras). */
  header?: Record<string, unknown>;
}

/** The name DevTools' summary groups a node under: constructor name, or "(string)", "(closure)"… */
export function className(g: HeapGraph, node: number): string {
  const type = g.nodeTypes[g.nodeType[node]!] ?? 'unknown';
  switch (type) {
    case 'object':
    case 'native':
      return g.strings[g.nodeName[node]!] || '(anonymous)';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)';
    case 'closure':
      return '(closure)';
    case 'array':
      return '(array)';
    case 'code':
      return '(compiled code)';
    case 'hidden':
    case 'object shape':
      return '(system)';
    case 'regexp':
      return '(regexp)';
    case 'number':
      return '(number)';
    case 'symbol':
      return '(symbol)';
    case 'bigint':
      return '(bigint)';
    case 'synthetic':
      return g.strings[g.nodeName[node]!] ?? '';
    default:
      return `(${type})`;
  }
}

/**
 * What the strings table holds for a name made only of digits that only internal edges use (the slots
 * of a Map's hash table: 1.9 M of them in a 317 MB snapshot of a big Map). Holder paths only need to
 * know that such a name is an index (they print "[…]"), so the digits are not built as strings.
 */
export const INDEX_NAME = '[index]';

/** An internal edge named by a slot number rather than a field name. */
export const isIndexName = (name: string): boolean => name === INDEX_NAME || /^\d+$/.test(name);

