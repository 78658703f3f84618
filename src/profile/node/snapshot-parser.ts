// Streaming parser for V8 .heapsnapshot files. A generic JSON parser (or JSON.parse, which fails past
// V8's ~512 MB string limit) is far too slow and too big for the numeric arrays that are 90 % of a
// snapshot; this reads the file in chunks once, scans digits straight into one typed array per field
// the analysis reads (see heap-graph.ts), checking each reference as it lands, and decodes the strings
// table one string at a time, building only the strings the analysis reads.
//
//   {"snapshot":{meta…},"nodes":[n,n,…],"edges":[e,e,…],"trace_…":[…],…,"strings":["…",…]}
//    └ JSON.parse (small) └ digit scan → per-field arrays      └ skipped  └ per string, or skipped
//
// Of the strings table only the entries the analysis reads are built, numbered anew from 2, and the
// names in nodes and edges renumbered to match (snapshot-strings.ts): 10 k strings instead of 3.6 M.
import { closeSync, fstatSync } from 'node:fs';
import { openInputFile } from '../../open-input.js';
import { INDEX_NAME, type HeapGraph, type SnapshotMeta as Meta } from './heap-graph.js';
import { BUILD, checkNames, planStrings, SKIP } from './snapshot-strings.js';
import { snapshotExtras } from './snapshot-extras.js';
import { readClosureLines, readEdges, readNodes, type EdgeArrays, type NodeArrays } from './snapshot-arrays.js';
import { ChunkReader, DEFAULT_CHUNK } from './snapshot-reader.js';


/** Parse a snapshot file into a HeapGraph. Throws input errors (exit 2) naming what is wrong. */
export function parseSnapshotFile(file: string, opts: { chunkSize?: number } = {}): HeapGraph {
  const { fd } = openInputFile(file, 'snapshot'); // a regular file only: a FIFO or /dev/zero would hang the parse
  try {
    return new SnapshotParser(fd, file, opts.chunkSize ?? DEFAULT_CHUNK).parse();
  } finally {
    closeSync(fd);
  }
}

export class SnapshotParser extends ChunkReader {
  /** The file's size: no array may claim more numbers than it can hold (2 bytes each: digit, comma). */
  readonly size: number;
  constructor(fd: number, file: string, chunk: number, size = fstatSync(fd).size) {
    super(fd, file, chunk, size);
    this.size = size;
  }

  parse(): HeapGraph {
    this.fill();
    if (this.nextToken() !== 0x7b) this.bad('it does not start with {');
    let meta: Meta | null = null;
    let nodeCount = 0, edgeCount = 0;
    let nodes: NodeArrays | null = null;
    let edges: EdgeArrays | null = null;
    let strings: string[] | null = null;
    const extras: { closureLines?: Uint32Array; samples?: Float64Array } = {};
    let header: Record<string, unknown> = {};
    let namesChecked = false;
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
        nodes = readNodes(this.io(), meta, nodeCount, edgeCount);
      } else if (key === 'edges') {
        if (!meta) this.bad('"edges" comes before "snapshot"');
        edges = readEdges(this.io(), meta, nodeCount, edgeCount);
      } else if (key === 'locations' && meta?.location_fields?.length && nodes) {
        extras.closureLines = readClosureLines(this.io(), meta, nodes.nodeType);
      } else if (key === 'samples') {
        const out: number[] = [];
        this.readRows(1, (row) => out.push(row[0]!));
        extras.samples = Float64Array.from(out);
      } else if (key === 'strings') {
        const needed = meta && nodes && edges ? planStrings(meta, nodes, edges) : null;
        // A string index past what the file could hold is corrupt (and must not size an allocation).
        if (needed && needed.max > this.size / 3) this.bad(`a name refers to string ${needed.max}, more strings than the file can hold`);
        const table = this.readStrings(needed?.plan ?? null);
        strings = table.kept;
        if (needed) {
          const bad = checkNames(meta!, nodes!, edges!, table.count, needed.plan);
          if (bad) this.bad(bad);
          namesChecked = true;
        }
      } else {
        this.readRawValue(true);
      }
    }
    if (!meta || !nodes || !edges || !strings) this.bad(`missing ${[!meta && 'snapshot', !nodes && 'nodes', !edges && 'edges', !strings && 'strings'].filter(Boolean).join(', ')}`);
    // A writer that put the strings before the nodes or edges: every string was kept; check the names now.
    const bad = namesChecked ? null : checkNames(meta, nodes, edges, strings.length, null);
    if (bad) this.bad(bad);
    const g: HeapGraph = {
      nodeTypes: meta.node_types[0], edgeTypes: meta.edge_types[0], nodeCount, edgeCount, ...nodes, ...edges, strings,
      ...snapshotExtras(meta as unknown as Record<string, unknown>, header, extras),
    };
    return g;
  }

  /** The hooks the array scanners (snapshot-arrays.ts) drive this reader through. */
  private io() {
    return {
      start: () => {
        if (this.nextToken() !== 0x5b) this.bad('a numeric array does not start with [');
      },
      chunk: () => ({ buf: this.buf, pos: this.pos, len: this.len }),
      done: (pos: number) => {
        this.pos = pos;
      },
      next: () => {
        if (!this.fill()) this.bad('the file ends inside a numeric array (truncated?)');
      },
      bad: (what: string): never => this.bad(what),
      notANumber: (c: number, at: number): never => this.notANumber(c, at),
    };
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
    for (const f of ['type', 'name', 'id', 'self_size', 'edge_count']) if (!meta.node_fields.includes(f)) this.bad(`node field ${f} missing`);
    // Types are kept in a byte each.
    if (meta.node_types[0].length > 255 || meta.edge_types[0].length > 255) this.bad('more than 255 node or edge types');
    for (const [k, v, per] of [['node_count', header.node_count, meta.node_fields.length], ['edge_count', header.edge_count, meta.edge_fields.length]] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) this.bad(`${k} ${JSON.stringify(v)} is not a whole number`);
      // Allocate only what the file can hold: each number takes at least 2 bytes.
      if (v * per * 2 > this.size) this.bad(`${k} ${v} is more than a file of ${this.size} bytes can hold`);
    }
    return header as { meta: Meta; node_count: number; edge_count: number };
  }

  /**
   * After the ':' of "strings": the table, the entries `plan` marks built and numbered from 2 on (0 is
   * '', 1 is INDEX_NAME), each entry's new number written back into `plan`; without a plan, all of it.
   */
  private readStrings(plan: Uint32Array | null): { kept: string[]; count: number } {
    if (this.nextToken() !== 0x5b) this.bad('"strings" is not an array');
    const kept: string[] = plan ? ['', INDEX_NAME] : [];
    for (let i = 0; ; i++) {
      let c = this.nextToken();
      if (c === 0x2c) c = this.nextToken();
      if (c === 0x5d) return { kept, count: i };
      if (c !== 0x22) this.bad(c < 0 ? 'the file ends inside the strings table (truncated?)' : 'a non-string in the strings table');
      const verdict = plan ? (plan[i] ?? SKIP) : BUILD;
      if (verdict === SKIP) this.skipString();
      else if (verdict === BUILD) {
        const s = this.readString();
        if (plan) plan[i] = kept.push(s) - 1;
        else kept.push(s);
      } else {
        const s = this.readUnlessDigits();
        plan![i] = s === null ? 1 : kept.push(s) - 1;
      }
    }
  }
}
