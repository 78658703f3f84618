// The two big arrays of a heap snapshot, "nodes" and "edges" (90 % of the file): digits scanned
// straight from the file's chunks into one typed array per field the analysis reads. Each value is
// checked as it lands (a type past the type list, an edge between two nodes, a number too big for its
// array), so nothing later reads out of bounds. The loops are written out once per array: a callback
// per number would cost more than the scan itself.
import type { Meta } from './snapshot-parser.js';

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
  const nodeType = new Uint8Array(N), nodeName = new Uint32Array(N), firstEdge = new Uint32Array(N + 1);
  // Uint32 halves the memory of Float64; a value past 2^32 (a huge self_size) switches that field over.
  let nodeId: Uint32Array | Float64Array = new Uint32Array(N), nodeSize: Uint32Array | Float64Array = new Uint32Array(N);
  // One node's fields as they come (any order), stored once the node is complete.
  const row = new Float64Array(nf);
  let n = 0, k = 0, edgeSum = 0, cur = 0, inNum = false;
  io.start();
  let { buf, pos: i, len } = io.chunk();
  for (;;) {
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
              if (t >= types) io.bad(`node ${n} has type ${t}, past the ${types} node types`);
              if (name > U32_MAX) io.bad(`node ${n} names string ${name}, more strings than the file can hold`);
              if (id > U32_MAX && nodeId instanceof Uint32Array) nodeId = Float64Array.from(nodeId);
              if (size > U32_MAX && nodeSize instanceof Uint32Array) nodeSize = Float64Array.from(nodeSize);
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
          io.done(i + 1);
          const count = n * nf + k;
          if (count !== N * nf) io.bad(`expected ${N * nf} node fields, found ${count}`);
          if (edgeSum !== edgeCount) io.bad(`the nodes own ${edgeSum} edges but edge_count is ${edgeCount}`);
          firstEdge[N] = edgeSum;
          return { nodeType, nodeName, nodeId, nodeSize, firstEdge };
        }
      } else if (c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) io.notANumber(c, i);
    }
    io.next();
    ({ buf, pos: i, len } = io.chunk());
  }
}

/** After the ':' of "edges": edgeCount edges of meta.edge_fields each (type, name_or_index, to_node first). */
export function readEdges(io: ArrayIO, meta: Meta, N: number, edgeCount: number): EdgeArrays {
  const ef = meta.edge_fields.length, nf = meta.node_fields.length, types = meta.edge_types[0].length;
  const edgeType = new Uint8Array(edgeCount), edgeName = new Uint32Array(edgeCount), edgeTo = new Uint32Array(edgeCount);
  const offsets = N * nf, perNode = 1 / nf; // a multiply, checked, is cheaper than a division per edge
  // The edge being read: type and name wait in locals until its to_node completes it.
  let e = 0, k = 0, type = 0, name = 0, cur = 0, inNum = false;
  io.start();
  let { buf, pos: i, len } = io.chunk();
  for (;;) {
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
            if (type >= types) io.bad(`edge ${e} has type ${type}, past the ${types} edge types`);
            // A string index, or an element's index (never read: paths show "[…]"); either fits 32 bits.
            if (name > U32_MAX) io.bad(`edge ${e} names ${name}, out of range`);
            // The file's to_node is an offset into its flat nodes array: a whole node, inside the nodes.
            const to = Math.round(cur * perNode);
            if (cur >= offsets || to * nf !== cur) io.bad(`edge ${e} points to node offset ${cur}, outside the ${N} nodes`);
            edgeType[e] = type;
            edgeName[e] = name;
            edgeTo[e] = to;
          }
          if (++k === ef) (k = 0), e++;
          cur = 0;
          inNum = false;
        }
        if (c === 0x5d) {
          io.done(i + 1);
          const count = e * ef + k;
          if (count !== edgeCount * ef) io.bad(`expected ${edgeCount * ef} edge fields, found ${count}`);
          return { edgeType, edgeName, edgeTo };
        }
      } else if (c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) io.notANumber(c, i);
    }
    io.next();
    ({ buf, pos: i, len } = io.chunk());
  }
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
