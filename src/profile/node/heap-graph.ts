// A parsed V8 heap snapshot held in typed arrays: memory ∝ node and edge counts, not file size.

export interface HeapGraph {
  nodeFieldCount: number;
  edgeFieldCount: number;
  nodeTypes: string[]; // 'hidden', 'object', …
  edgeTypes: string[]; // 'context', 'element', 'property', …
  /** Flat node fields, nodeFieldCount per node (type, name, id, self_size, edge_count, …). */
  nodes: Uint32Array | Float64Array;
  /** Flat edge fields: type, name_or_index, to_node (an offset into `nodes`). */
  edges: Uint32Array;
  strings: string[];
  nodeCount: number;
  edgeCount: number;
  // field offsets
  fType: number;
  fName: number;
  fId: number;
  fSize: number;
  fEdges: number;
  /** Optional: closure locations, `locationFields` per entry (the parser keeps object_index and line). */
  locations?: Uint32Array;
  locationFields?: string[];
  /** Optional: allocation-tracking samples (timestamp_us, last_assigned_id), `sampleFields` per entry. */
  samples?: Float64Array;
  sampleFields?: string[];
  /** The "snapshot" header without its meta (title, uid, node_count, … and any writer's extras). */
  header?: Record<string, unknown>;
}

/** The name DevTools' summary groups a node under: constructor name, or "(string)", "(closure)"… */
export function className(g: HeapGraph, node: number): string {
  const base = node * g.nodeFieldCount;
  const type = g.nodeTypes[g.nodes[base + g.fType]!] ?? 'unknown';
  const name = g.strings[g.nodes[base + g.fName]!] ?? '';
  switch (type) {
    case 'object':
    case 'native':
      return name || '(anonymous)';
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
      return name;
    default:
      return `(${type})`;
  }
}

/** First-edge index (in edges, as edge ordinal) of every node: edges are stored node by node. */
export function firstEdges(g: HeapGraph): Uint32Array {
  const first = new Uint32Array(g.nodeCount + 1);
  let e = 0;
  for (let n = 0; n < g.nodeCount; n++) {
    first[n] = e;
    e += g.nodes[n * g.nodeFieldCount + g.fEdges]!;
  }
  first[g.nodeCount] = e;
  return first;
}
