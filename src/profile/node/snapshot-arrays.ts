// The two big arrays of a heap snapshot, "nodes" and "edges" (90 % of the file): digits scanned
// straight from the file's chunks into one typed array per field the analysis reads. Each value is
// checked as it lands (a type past the type list, an edge between two nodes, a number too big for its
// array), so nothing later reads out of bounds. The loops are written out once per array: a callback
// per number would cost more than the scan itself.
import type { SnapshotMeta as Meta } from './heap-graph.js';

/** How the scanners drive the chunk reader (snapshot-parser.ts). */
export interface ArrayIO {
  /** Consume the opening '['. */
  start(): void;
  chunk(): { buf: Buffer; pos: number; len: number };
  /** The array ended: consume up to `pos`. */
  done(pos: number): void;
  /** Read the next chunk (the file ending inside the array is an error). */
  next(): void;
  bad(what: string): never;
  notANumber(c: number, at: number): never;
}

export interface NodeArrays {
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array | Float64Array;
  nodeSize: Uint32Array | Float64Array;
  firstEdge: Uint32Array;
}

export interface EdgeArrays {
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  edgeTo: Uint32Array;
}

const U32_MAX = 0xffffffff;

/** After the ':' of "nodes": N nodes of meta.node_fields each. */
export function readNodes(io: ArrayIO, meta: Meta, N: number, edgeCount: number): NodeArrays {
  const nf = meta.node_fields.length;
  const [fType, fName, fId, fSize, fEdges] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) => meta.node_fields.indexOf(f)) as [number, number, number, number, number];
  const types = meta.node_types[0].length;
  const a: NodeArrays = { nodeType: new Uint8Array(N), nodeName: new Uint32Array(N), nodeId: new Uint32Array(N), nodeSize: new Uint32Array(N), firstEdge: new Uint32Array(N + 1) };
  // One node's fields as they come (any order), stored once the node is complete.
  const s: NodeScan = { n: 0, k: 0, edgeSum: 0, cur: 0, inNum: false, fault: 0, at: 0, row: new Float64Array(nf), nf, N, types, fType, fName, fId, fSize, fEdges };
  io.start();
  for (;;) {
    const { buf, pos, len } = io.chunk();
    const end = scanNodes(buf, pos, len, s, a.nodeType, a.nodeName, a.nodeId, a.nodeSize, a.firstEdge);
    if (s.fault === FAULT_CHAR) io.notANumber(buf[s.at]!, s.at);
    if (s.fault === FAULT_TYPE) io.bad(`node ${s.n} has type ${s.row[fType]}, past the ${types} node types`);
    if (s.fault === FAULT_NAME) io.bad(`node ${s.n} names string ${s.row[fName]}, more strings than the file can hold`);
    if (s.fault === FAULT_WIDE) {
      // Uint32 halves the memory of Float64; a value past 2^32 (a huge self_size) switches that field over.
      if (s.row[fId]! > U32_MAX && a.nodeId instanceof Uint32Array) a.nodeId = Float64Array.from(a.nodeId);
      if (s.row[fSize]! > U32_MAX && a.nodeSize instanceof Uint32Array) a.nodeSize = Float64Array.from(a.nodeSize);
      s.fault = 0;
      io.done(s.at); // the node is stored, the scan goes on after its last field
      continue;
    }
    if (end >= 0) {
      io.done(end);
      const count = s.n * nf + s.k;
      if (count !== N * nf) io.bad(`expected ${N * nf} node fields, found ${count}`);
      if (s.edgeSum !== edgeCount) io.bad(`the nodes own ${s.edgeSum} edges but edge_count is ${edgeCount}`);
      a.firstEdge[N] = s.edgeSum;
      return a;
    }
    io.next();
  }
}

const FAULT_CHAR = 1, FAULT_TYPE = 2, FAULT_NAME = 3, FAULT_TO = 4, FAULT_WIDE = 5;

/** The state of a nodes scan between chunks; `fault` and `at` say what stopped it. */
interface NodeScan {
  n: number; k: number; edgeSum: number; cur: number; inNum: boolean; fault: number; at: number; row: Float64Array;
  readonly nf: number; readonly N: number; readonly types: number;
  readonly fType: number; readonly fName: number; readonly fId: number; readonly fSize: number; readonly fEdges: number;
}

/** One chunk of the nodes array, as scanEdges below. A value past 32 bits stops it (FAULT_WIDE) to widen. */
function scanNodes(buf: Buffer, from: number, len: number, s: NodeScan, nodeType: Uint8Array, nodeName: Uint32Array, nodeId: Uint32Array | Float64Array, nodeSize: Uint32Array | Float64Array, firstEdge: Uint32Array): number {
  const { nf, N, types, fType, fName, fId, fSize, fEdges, row } = s;
  let { n, k, edgeSum, cur, inNum } = s;
  let i = from, end = -1;
  for (; i < len; i++) {
    const c = buf[i]!, digit = c - 0x30;
    if (digit >>> 0 < 10) {
      cur = cur * 10 + digit; // (one unsigned compare tells digits apart: measured ~15 % faster)
      inNum = true;
    } else if (c === 0x2c || c === 0x5d) {
      if (inNum) {
        row[k] = cur;
        cur = 0;
        inNum = false;
        if (++k === nf) {
          k = 0;
          if (n < N) {
            const t = row[fType]!, name = row[fName]!, id = row[fId]!, size = row[fSize]!;
            if (t >= types || name > U32_MAX) {
              s.fault = t >= types ? FAULT_TYPE : FAULT_NAME;
              break;
            }
            if ((id > U32_MAX && nodeId instanceof Uint32Array) || (size > U32_MAX && nodeSize instanceof Uint32Array)) {
              // widen first (the caller), then come back to store this node
              (k = nf - 1), (cur = row[nf - 1]!), (inNum = true);
              s.fault = FAULT_WIDE;
              s.at = i;
              break;
            }
            nodeType[n] = t;
            nodeName[n] = name;
            nodeId[n] = id;
            nodeSize[n] = size;
            firstEdge[n] = edgeSum;
            edgeSum += row[fEdges]!;
          }
          n++;
        }
      }
      if (c === 0x5d) {
        end = i + 1;
        break;
      }
    } else if (c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) {
      s.fault = FAULT_CHAR;
      s.at = i;
      break;
    }
  }
  Object.assign(s, { n, k, edgeSum, cur, inNum });
  return end;
}

/** After the ':' of "edges": edgeCount edges of meta.edge_fields each (type, name_or_index, to_node first). */
export function readEdges(io: ArrayIO, meta: Meta, N: number, edgeCount: number): EdgeArrays {
  const ef = meta.edge_fields.length, nf = meta.node_fields.length, types = meta.edge_types[0].length;
  const edgeType = new Uint8Array(edgeCount), edgeName = new Uint32Array(edgeCount), edgeTo = new Uint32Array(edgeCount);
  const s: EdgeScan = { e: 0, k: 0, type: 0, name: 0, cur: 0, inNum: false, fault: 0, at: 0, ef, nf, types, offsets: N * nf, perNode: 1 / nf, edgeCount };
  io.start();
  for (;;) {
    const { buf, pos, len } = io.chunk();
    const end = scanEdges(buf, pos, len, s, edgeType, edgeName, edgeTo);
    if (s.fault === FAULT_CHAR) io.notANumber(buf[s.at]!, s.at);
    if (s.fault === FAULT_TYPE) io.bad(`edge ${s.e} has type ${s.type}, past the ${types} edge types`);
    if (s.fault === FAULT_NAME) io.bad(`edge ${s.e} names ${s.name}, out of range`);
    if (s.fault === FAULT_TO) io.bad(`edge ${s.e} points to node offset ${s.cur}, outside the ${N} nodes`);
    if (end >= 0) {
      io.done(end);
      const count = s.e * ef + s.k;
      if (count !== edgeCount * ef) io.bad(`expected ${edgeCount * ef} edge fields, found ${count}`);
      return { edgeType, edgeName, edgeTo };
    }
    io.next();
  }
}

/** The state of an edges scan between chunks; `fault` and `at` say what stopped it. */
interface EdgeScan {
  e: number; k: number; type: number; name: number; cur: number; inNum: boolean; fault: number; at: number;
  readonly ef: number; readonly nf: number; readonly types: number; readonly offsets: number; readonly perNode: number; readonly edgeCount: number;
}

/**
 * One chunk of the edges array: the index after its closing ']', or -1 at the chunk's end (or on a
 * fault). A function per chunk rather than one loop over the file: V8 optimises it as a whole
 * function (measured faster than on-stack replacement of one long loop).
 */
function scanEdges(buf: Buffer, from: number, len: number, s: EdgeScan, edgeType: Uint8Array, edgeName: Uint32Array, edgeTo: Uint32Array): number {
  const { ef, nf, types, offsets, perNode, edgeCount } = s;
  // The edge being read: type and name wait in locals until its to_node completes it.
  let { e, k, type, name, cur, inNum } = s;
  let i = from, end = -1;
  for (; i < len; i++) {
    const c = buf[i]!, digit = c - 0x30;
    if (digit >>> 0 < 10) {
      cur = cur * 10 + digit; // (one unsigned compare tells digits apart: measured ~15 % faster)
      inNum = true;
    } else if (c === 0x2c || c === 0x5d) {
      if (inNum) {
        if (k === 0) type = cur;
        else if (k === 1) name = cur;
        else if (k === 2 && e < edgeCount) {
          // The file's to_node is an offset into its flat nodes array: a whole node, inside the nodes.
          // (A multiply, checked, is cheaper than a division per edge.) A string index, or an element's
          // index (never read: paths show "[…]"); either fits 32 bits.
          const to = Math.round(cur * perNode);
          if (type >= types || name > U32_MAX || cur >= offsets || to * nf !== cur) {
            s.fault = type >= types ? FAULT_TYPE : name > U32_MAX ? FAULT_NAME : FAULT_TO;
            break;
          }
          edgeType[e] = type;
          edgeName[e] = name;
          edgeTo[e] = to;
        }
        if (++k === ef) (k = 0), e++;
        cur = 0;
        inNum = false;
      }
      if (c === 0x5d) {
        end = i + 1;
        break;
      }
    } else if (c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) {
      s.fault = FAULT_CHAR;
      s.at = i;
      break;
    }
  }
  Object.assign(s, { e, k, type, name, cur, inNum });
  return end;
}

/**
 * After the ':' of "locations": closures' source lines as (node index, line) pairs. V8 writes one
 * location per JS object (its constructor's: 10 % of the file); only closures' are kept.
 */
export function readClosureLines(io: ArrayIO, meta: Meta, nodeType: Uint8Array): Uint32Array {
  const lf = meta.location_fields!, lk = lf.length, fo = lf.indexOf('object_index'), fl = lf.indexOf('line');
  const nf = meta.node_fields.length, closure = meta.node_types[0].indexOf('closure'), offsets = nodeType.length * nf;
  let out = new Uint32Array(4096), count = 0;
  let k = 0, at = -1, line = 0, cur = 0, inNum = false, numbers = 0;
  io.start();
  let { buf, pos: i, len } = io.chunk();
  for (;;) {
    for (; i < len; i++) {
      const c = buf[i]!, digit = c - 0x30;
      if (digit >>> 0 < 10) {
        cur = cur * 10 + digit;
        inNum = true;
      } else if (c === 0x2c || c === 0x5d) {
        if (inNum) {
          if (k === fo) at = cur;
          else if (k === fl) line = cur;
          numbers++;
          if (++k === lk) {
            k = 0;
            // A corrupt object_index (not a whole node, outside the nodes) is not a closure: no line.
            if (at >= 0 && at < offsets && at % nf === 0 && nodeType[at / nf] === closure && line <= U32_MAX) {
              if (count + 2 > out.length) {
                const grown = new Uint32Array(out.length * 2);
                grown.set(out);
                out = grown;
              }
              (out[count++] = at / nf), (out[count++] = line);
            }
          }
          cur = 0;
          inNum = false;
        }
        if (c === 0x5d) {
          io.done(i + 1);
          if (k !== 0) io.bad(`"locations" holds ${numbers} numbers, not whole rows of ${lk}`);
          return fo < 0 || fl < 0 ? new Uint32Array(0) : out.slice(0, count);
        }
      } else if (c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) io.notANumber(c, i);
    }
    io.next();
    ({ buf, pos: i, len } = io.chunk());
  }
}
