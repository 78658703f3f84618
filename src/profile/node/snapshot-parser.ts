// Streaming parser for V8 .heapsnapshot files. A generic JSON parser (or JSON.parse, which fails past
// V8's ~512 MB string limit) is far too slow and too big for the numeric arrays that are 90 % of a
// snapshot; this reads the file in chunks once, scans digits straight into typed arrays, and decodes
// the strings table one string at a time.
//
//   {"snapshot":{meta…},"nodes":[n,n,…],"edges":[e,e,…],"trace_…":[…],…,"strings":["…",…]}
//    └ JSON.parse (small) └ digit scan → Float64Array  └ digit scan → Uint32Array  └ skipped  └ per string
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inputError, notFoundError } from '../../errors.js';
import type { HeapGraph } from './heap-graph.js';
import { snapshotExtras } from './snapshot-extras.js';

const CHUNK = 4 * 1024 * 1024;

interface Meta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

/** Parse a snapshot file into a HeapGraph. Throws input errors (exit 2) naming what is wrong. */
export function parseSnapshotFile(file: string): HeapGraph {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFoundError(`no snapshot file at ${file}`);
    throw inputError(`cannot read ${file}: ${code}`, e);
  }
  try {
    return new Scanner(fd, file).parse();
  } finally {
    closeSync(fd);
  }
}

class Scanner {
  private buf = Buffer.allocUnsafe(CHUNK);
  private len = 0;
  private pos = 0;
  private eof = false;
  /** The file's size: no array may claim more numbers than it can hold (2 bytes each: digit, comma). */
  private readonly size: number;
  constructor(private readonly fd: number, private readonly file: string) {
    this.size = fstatSync(fd).size;
  }

  private fill(): boolean {
    if (this.eof) return false;
    this.len = readSync(this.fd, this.buf, 0, CHUNK, null);
    this.pos = 0;
    if (this.len === 0) this.eof = true;
    return this.len > 0;
  }

  private bad(what: string): never {
    throw inputError(`${this.file} is not a complete V8 heap snapshot: ${what}; take it again, or check the file was fully written`);
  }

  /** Next non-whitespace byte, consumed; -1 at end of file. */
  private nextToken(): number {
    for (;;) {
      while (this.pos < this.len) {
        const c = this.buf[this.pos++]!;
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
      }
      if (!this.fill()) return -1;
    }
  }

  parse(): HeapGraph {
    this.fill();
    if (this.nextToken() !== 0x7b) this.bad('it does not start with {');
    let meta: Meta | null = null;
    let nodeCount = 0, edgeCount = 0;
    let nodes: Uint32Array | Float64Array | null = null;
    let edges: Uint32Array | null = null;
    let strings: string[] | null = null;
    const extras: { locations?: Uint32Array; samples?: Float64Array } = {};
    let header: Record<string, unknown> = {};
    for (;;) {
      const c = this.nextToken();
      if (c === 0x7d) break; // end of top-level object
      if (c === 0x2c) continue;
      if (c !== 0x22) this.bad(c < 0 ? 'the file ends early' : `unexpected ${String.fromCharCode(c)} at top level`);
      const key = this.readString();
      if (this.nextToken() !== 0x3a) this.bad(`no : after "${key}"`);
      if (key === 'snapshot') {
        const h = this.readHeader();
        header = h as unknown as Record<string, unknown>;
        meta = h.meta;
        nodeCount = h.node_count;
        edgeCount = h.edge_count;
      } else if (key === 'nodes') {
        if (!meta) this.bad('"nodes" comes before "snapshot"');
        // Uint32 halves the memory of Float64; a value past 2^32 (a huge self_size) switches over.
        let arr: Uint32Array | Float64Array = new Uint32Array(nodeCount * meta.node_fields.length);
        const n = this.readNumbers(arr, (wide) => (arr = wide));
        nodes = arr;
        if (n !== nodes.length) this.bad(`expected ${nodes.length} node fields, found ${n}`);
      } else if (key === 'edges') {
        if (!meta) this.bad('"edges" comes before "snapshot"');
        edges = new Uint32Array(edgeCount * meta.edge_fields.length);
        const n = this.readNumbers(edges);
        if (n !== edges.length) this.bad(`expected ${edges.length} edge fields, found ${n}`);
      } else if (key === 'locations' || key === 'samples') {
        // Optional extras (closure source locations; allocation-sampling timestamps): small, kept as read.
        // Locations: V8 writes one per JS object (its constructor's); only closures' are read, as
        // (object_index, line) pairs.
        const lf = (meta as unknown as { location_fields?: string[] } | null)?.location_fields;
        if (key === 'locations' && lf && nodes && lf.includes('object_index') && lf.includes('line')) {
          const fType = meta!.node_fields.indexOf('type'), closure = meta!.node_types[0].indexOf('closure');
          const fo = lf.indexOf('object_index');
          extras.locations = this.readEntries(Uint32Array, lf.length, [fo, lf.indexOf('line')], (e) => nodes![e[fo]! + fType] === closure);
        } else if (key === 'samples') extras.samples = this.readEntries(Float64Array, 1, [0], () => true);
        else this.readRawValue(true);
      } else if (key === 'strings') {
        const needed = meta && nodes && edges ? neededStrings(meta, nodes, edges) : null;
        // A string index past what the file could hold is corrupt (and must not size an allocation).
        if (needed && needed.max > this.size / 3) this.bad(`a name refers to string ${needed.max}, more strings than the file can hold`);
        strings = this.readStrings(needed?.need ?? null);
      } else {
        this.readRawValue(true);
      }
    }
    if (!meta || !nodes || !edges || !strings) this.bad(`missing ${[!meta && 'snapshot', !nodes && 'nodes', !edges && 'edges', !strings && 'strings'].filter(Boolean).join(', ')}`);
    const nf = meta.node_fields;
    const need = (f: string) => {
      const i = nf.indexOf(f);
      if (i < 0) this.bad(`node field ${f} missing`);
      return i;
    };
    const g: HeapGraph = {
      nodeFieldCount: nf.length, edgeFieldCount: meta.edge_fields.length,
      nodeTypes: meta.node_types[0], edgeTypes: meta.edge_types[0], nodes, edges, strings, nodeCount, edgeCount,
      fType: need('type'), fName: need('name'), fId: need('id'), fSize: need('self_size'), fEdges: need('edge_count'),
      ...snapshotExtras(meta as unknown as Record<string, unknown>, header, extras),
    };
    this.checkReferences(g);
    return g;
  }

  /** The "snapshot" header: valid JSON, a meta with field lists, counts the file can actually hold. */
  private readHeader(): { meta: Meta; node_count: number; edge_count: number } {
    let header: { meta?: Meta; node_count?: unknown; edge_count?: unknown };
    try {
      header = JSON.parse(this.readRawValue()) as typeof header;
    } catch {
      this.bad('the "snapshot" header is not valid JSON');
    }
    const meta = header?.meta;
    const isNames = (a: unknown) => Array.isArray(a) && a.length > 0 && a.every((x) => typeof x === 'string');
    if (!meta || !isNames(meta.node_fields) || !isNames(meta.edge_fields)) this.bad('the snapshot header has no meta with node_fields and edge_fields');
    if (!Array.isArray(meta.node_types) || !isNames(meta.node_types[0]) || !Array.isArray(meta.edge_types) || !isNames(meta.edge_types[0])) {
      this.bad('the snapshot header has no node_types or edge_types');
    }
    if (meta.edge_fields.slice(0, 3).join() !== 'type,name_or_index,to_node') this.bad(`unsupported edge layout ${JSON.stringify(meta.edge_fields)}`);
    for (const [k, v, per] of [['node_count', header.node_count, meta.node_fields.length], ['edge_count', header.edge_count, meta.edge_fields.length]] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.bad(`${k} ${JSON.stringify(v)} is not a whole number`);
      // Allocate only what the file can hold: each number takes at least 2 bytes.
      if (v * per * 2 > this.size) this.bad(`${k} ${v} is more than a file of ${this.size} bytes can hold`);
    }
    return header as { meta: Meta; node_count: number; edge_count: number };
  }

  /** Every index the analysis follows must land inside its table: a bad one would invent types or growth. */
  private checkReferences(g: HeapGraph): void {
    const { nodes, edges, strings, nodeFieldCount: nf, edgeFieldCount: ef } = g;
    const eType = 0, eName = 1, eTo = 2; // the layout readHeader insists on (retainers.ts reads it so)
    const indexEdge = g.edgeTypes.map((t) => INDEX_EDGE_TYPES.has(t));
    let edgeSum = 0;
    for (let n = 0; n < nodes.length; n += nf) {
      if (nodes[n + g.fType]! >= g.nodeTypes.length) this.bad(`node ${n / nf} has type ${nodes[n + g.fType]}, past the ${g.nodeTypes.length} node types`);
      if (nodes[n + g.fName]! >= strings.length) this.bad(`node ${n / nf} names string ${nodes[n + g.fName]}, past the ${strings.length} strings (truncated strings table?)`);
      edgeSum += nodes[n + g.fEdges]!;
    }
    if (edgeSum !== g.edgeCount) this.bad(`the nodes own ${edgeSum} edges but edge_count is ${g.edgeCount}`);
    for (let e = 0; e < edges.length; e += ef) {
      const t = edges[e + eType]!;
      if (t >= g.edgeTypes.length) this.bad(`edge ${e / ef} has type ${t}, past the ${g.edgeTypes.length} edge types`);
      const to = edges[e + eTo]!;
      if (to >= nodes.length || to % nf !== 0) this.bad(`edge ${e / ef} points to node offset ${to}, outside the ${g.nodeCount} nodes`);
      if (!indexEdge[t] && edges[e + eName]! >= strings.length) this.bad(`edge ${e / ef} names string ${edges[e + eName]}, past the ${strings.length} strings (truncated strings table?)`);
    }
  }

  /** After the opening quote: read a JSON string (keys and strings-table entries). */
  private readString(): string {
    const parts: Buffer[] = [];
    let escaped = false;
    let hasEscape = false;
    for (;;) {
      let i = this.pos;
      for (; i < this.len; i++) {
        const c = this.buf[i]!;
        if (escaped) escaped = false;
        else if (c === 0x5c) (escaped = true), (hasEscape = true);
        else if (c === 0x22) break;
      }
      parts.push(Buffer.from(this.buf.subarray(this.pos, i)));
      if (i < this.len) {
        this.pos = i + 1;
        break;
      }
      if (!this.fill()) this.bad('a string never ends');
    }
    const raw = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const text = raw.toString('utf8');
    if (!hasEscape) return text;
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch {
      this.bad(`invalid escape in the string ${JSON.stringify(text.slice(0, 40))}`);
    }
  }

  /** After the ':' of a key: the next value as raw text (objects/arrays balanced); discarded if `skip`. */
  private readRawValue(skip = false): string {
    const out: Buffer[] = [];
    let depth = 0, inStr = false, esc = false, started = false;
    for (;;) {
      if (this.pos >= this.len && !this.fill()) this.bad('a value never ends');
      const start = this.pos;
      let i = this.pos;
      let done = false;
      for (; i < this.len; i++) {
        const c = this.buf[i]!;
        if (inStr) {
          if (esc) esc = false;
          else if (c === 0x5c) esc = true;
          else if (c === 0x22) inStr = false;
          continue;
        }
        if (c === 0x22) (inStr = true), (started = true);
        else if (c === 0x7b || c === 0x5b) (depth++, (started = true));
        else if (c === 0x7d || c === 0x5d) {
          if (depth === 0) { done = true; break; } // the enclosing object's end: a scalar value ended
          depth--;
          if (depth === 0) { i++; done = true; break; }
        } else if (c === 0x2c && depth === 0 && started) { done = true; break; }
        else if (c > 0x20) started = true;
      }
      if (!skip) out.push(Buffer.from(this.buf.subarray(start, i)));
      this.pos = i;
      if (done) return skip ? '' : Buffer.concat(out).toString('utf8');
    }
  }

  /** After the ':' of "nodes"/"edges": scan `[d,d,…]` into `into`; returns the count of numbers. */
  private readNumbers(into: Float64Array | Uint32Array, widen?: (wide: Float64Array) => void): number {
    if (this.nextToken() !== 0x5b) this.bad('a numeric array does not start with [');
    let count = 0, cur = 0, inNum = false;
    const cap = into.length;
    for (;;) {
      const buf = this.buf;
      const len = this.len;
      let i = this.pos;
      for (; i < len; i++) {
        const c = buf[i]!;
        if (c >= 0x30 && c <= 0x39) {
          cur = cur * 10 + (c - 0x30);
          inNum = true;
        } else if (c === 0x2c || c === 0x5d) {
          if (inNum) {
            if (cur > 0xffffffff && into instanceof Uint32Array) {
              if (!widen) this.bad(`value ${cur} out of range`);
              into = Float64Array.from(into);
              widen(into);
            }
            if (count < cap) into[count] = cur;
            count++;
            cur = 0;
            inNum = false;
          }
          if (c === 0x5d) {
            this.pos = i + 1;
            return count;
          }
        } else if (c !== 0x0a && c !== 0x20 && c !== 0x0d) {
          this.pos = i;
          this.bad(`unexpected ${JSON.stringify(String.fromCharCode(c))} in a numeric array`);
        }
      }
      this.pos = len;
      if (!this.fill()) this.bad('the file ends inside a numeric array (truncated?)');
    }
  }

  /**
   * After the ':' of a small numeric array of unknown length (locations, samples): entries of `stride`
   * numbers; of the entries `wanted`, the fields `pick`, in a buffer that grows.
   */
  private readEntries<T extends Float64Array | Uint32Array>(Kind: new (n: number) => T, stride: number, pick: number[], wanted: (entry: Float64Array) => boolean): T {
    if (this.nextToken() !== 0x5b) this.bad('a numeric array does not start with [');
    let out = new Kind(4096);
    const entry = new Float64Array(stride);
    let count = 0, cur = 0, inNum = false, k = 0;
    for (;;) {
      const buf = this.buf, len = this.len;
      let i = this.pos;
      for (; i < len; i++) {
        const c = buf[i]!;
        if (c >= 0x30 && c <= 0x39) (cur = cur * 10 + (c - 0x30)), (inNum = true);
        else if (c === 0x2c || c === 0x5d) {
          if (inNum) {
            entry[k++] = cur;
            (cur = 0), (inNum = false);
            if (k === stride && ((k = 0), wanted(entry))) {
              if (count + pick.length > out.length) {
                const grown = new Kind(out.length * 2);
                grown.set(out);
                out = grown;
              }
              for (const f of pick) out[count++] = entry[f]!;
            }
          }
          if (c === 0x5d) {
            this.pos = i + 1;
            return out.slice(0, count) as T;
          }
        } else if (c !== 0x0a && c !== 0x20 && c !== 0x0d) {
          this.pos = i;
          this.bad(`unexpected ${JSON.stringify(String.fromCharCode(c))} in a numeric array`);
        }
      }
      this.pos = len;
      if (!this.fill()) this.bad('the file ends inside a numeric array (truncated?)');
    }
  }

  /** After the opening quote: pass over a JSON string without building it. */
  private skipString(): void {
    let escaped = false;
    let hex = 0; // hex digits still due after \u
    for (;;) {
      const buf = this.buf;
      for (let i = this.pos; i < this.len; i++) {
        const c = buf[i]!;
        if (hex > 0) {
          if (!isHexDigit(c)) this.bad('invalid \\u escape in the strings table');
          hex--;
        } else if (escaped) {
          escaped = false;
          if (c === 0x75) hex = 4;
          else if (!VALID_ESCAPES.has(c)) this.bad(`invalid escape \\${String.fromCharCode(c)} in the strings table`);
        } else if (c === 0x5c) escaped = true;
        else if (c === 0x22) {
          this.pos = i + 1;
          return;
        }
      }
      if (!this.fill()) this.bad('a string never ends');
    }
  }

  /** After the ':' of "strings": the strings table; entries not `needed` are left as ''. */
  private readStrings(needed: Uint8Array | null): string[] {
    if (this.nextToken() !== 0x5b) this.bad('"strings" is not an array');
    const out: string[] = [];
    for (;;) {
      const c = this.nextToken();
      if (c === 0x5d) return out;
      if (c === 0x2c) continue;
      if (c !== 0x22) this.bad(c < 0 ? 'the file ends inside the strings table (truncated?)' : 'a non-string in the strings table');
      if (needed && !needed[out.length]) {
        this.skipString();
        out.push('');
      } else out.push(this.readString());
    }
  }
}

/** The characters JSON allows after a backslash (u is handled apart): " \ / b f n r t. */
const VALID_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const isHexDigit = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

const STRING_NODE_TYPES = new Set(['string', 'concatenated string', 'sliced string']);
const INDEX_EDGE_TYPES = new Set(['element', 'hidden']);

/**
 * Which entries of the strings table the analysis reads: the names of non-string nodes (class,
 * function and synthetic-root names) and of named edges. The rest is the *contents* of the heap's
 * strings (in the object-heavy bench set, 2.4 M of 3.6 M entries): skipped, never built as JS
 * strings. V8 writes the table after nodes and edges, so both are known by then.
 */
function neededStrings(meta: Meta, nodes: Uint32Array | Float64Array, edges: Uint32Array): { need: Uint8Array | null; max: number } | null {
  const nf = meta.node_fields.length, ef = meta.edge_fields.length;
  const fType = meta.node_fields.indexOf('type'), fName = meta.node_fields.indexOf('name');
  const eType = meta.edge_fields.indexOf('type'), eName = meta.edge_fields.indexOf('name_or_index');
  if (fType < 0 || fName < 0 || eType < 0 || eName < 0) return null; // unknown layout: keep every string
  const skipNode = meta.node_types[0].map((t) => STRING_NODE_TYPES.has(t));
  const skipEdge = meta.edge_types[0].map((t) => INDEX_EDGE_TYPES.has(t));
  let max = 0;
  for (let i = fName; i < nodes.length; i += nf) if (nodes[i]! > max) max = nodes[i]!;
  for (let i = eName; i < edges.length; i += ef) if (!skipEdge[edges[i - eName + eType]!] && edges[i]! > max) max = edges[i]!;
  if (max > 0xfffffff) return { need: null, max }; // implausible: keep every string rather than size a huge table
  const need = new Uint8Array(max + 1);
  for (let n = 0; n < nodes.length; n += nf) if (!skipNode[nodes[n + fType]!]) need[nodes[n + fName]!] = 1;
  for (let e = 0; e < edges.length; e += ef) if (!skipEdge[edges[e + eType]!]) need[edges[e + eName]!] = 1;
  return { need, max };
}

