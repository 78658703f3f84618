// The streaming parser against a plain JSON.parse reference, on snapshots this test writes itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { parseSnapshotFile } from '../../../src/profile/node/snapshot-parser.js';
import { aggregateSnapshot } from '../../../src/profile/node/aggregate.js';
import { className, INDEX_NAME, type HeapGraph } from '../../../src/profile/node/heap-graph.js';
import { LeakError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-snap-'));

class ParserProbe {
  constructor(public label: string) {}
}
const keep: ParserProbe[] = [];

/** Reference: the whole file through JSON.parse, the same per-type grouping. */
function reference(file: string): Map<string, { count: number; bytes: number }> {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const m = j.snapshot.meta, nf = m.node_fields.length;
  const at = (n: number, f: string) => j.nodes[n * nf + m.node_fields.indexOf(f)];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let n = 0; n < j.snapshot.node_count; n++) {
    // className reads a node's type and name only
    const one = { nodeTypes: m.node_types[0], nodeType: [at(n, 'type')], nodeName: [at(n, 'name')], strings: j.strings } as unknown as HeapGraph;
    const name = className(one, 0);
    const s = out.get(name) ?? { count: 0, bytes: 0 };
    s.count++;
    s.bytes += at(n, 'self_size');
    out.set(name, s);
  }
  return out;
}

/** Every kept field of every node and edge equals the JSON.parse reference. */
function assertSameGraph(g: HeapGraph, file: string): void {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const m = j.snapshot.meta, nf = m.node_fields.length, ef = m.edge_fields.length;
  const f = (name: string) => m.node_fields.indexOf(name);
  let e = 0;
  // Names: the reference text; '' for a string's contents (never built); INDEX_NAME for the slot
  // numbers only internal edges use (a Map's table); element and hidden edges keep their index.
  const stringTypes = ['string', 'concatenated string', 'sliced string'];
  let slots = 0;
  for (let n = 0; n < j.snapshot.node_count; n++) {
    const row = j.nodes.slice(n * nf, n * nf + nf);
    assert.deepEqual([g.nodeType[n], g.nodeId[n], g.nodeSize[n], g.firstEdge[n]], [row[f('type')], row[f('id')], row[f('self_size')], e], `node ${n}`);
    const name = g.strings[g.nodeName[n]!];
    // (a string's contents are never read: '' or, sharing a slot number's entry, INDEX_NAME)
    const contents = stringTypes.includes(m.node_types[0][row[f('type')]]) && (name === '' || name === INDEX_NAME);
    if (!contents) assert.equal(name, j.strings[row[f('name')]], `node ${n}'s name`);
    e += row[f('edge_count')];
  }
  assert.equal(g.firstEdge[j.snapshot.node_count], e);
  assert.equal(g.edgeCount, j.edges.length / ef);
  for (let k = 0; k < g.edgeCount; k++) {
    const [type, name, to] = [j.edges[k * ef], j.edges[k * ef + 1], j.edges[k * ef + 2]];
    assert.deepEqual([g.edgeType[k], g.edgeTo[k]], [type, to / nf], `edge ${k}`);
    const kind = m.edge_types[0][type];
    if (kind === 'element' || kind === 'hidden') assert.equal(g.edgeName[k], name, `edge ${k}'s index`);
    else if (kind === 'internal' && g.strings[g.edgeName[k]!] === INDEX_NAME) (assert.match(j.strings[name], /^\d+$/), slots++);
    else assert.equal(g.strings[g.edgeName[k]!], j.strings[name], `edge ${k}'s name`);
  }
  assert.ok(slots > 0, 'the slot numbers of a Map are not built');
}

test('per-type counts and sizes equal a JSON.parse reference, with strings needing escapes', () => {
  for (let i = 0; i < 3000; i++) keep.push(new ParserProbe(`probe "${i}"\n\t\u00e9\u4e2d${'\\'.repeat(i % 3)}`));
  // Property names are kept by the parser (string contents are not): these carry the escapes.
  // (Values are objects: a property holding a small integer has no edge in a snapshot.)
  const named: Record<string, { i: number }> = {};
  for (let i = 0; i < 12; i++) named[`key "${i}"\n\t\u00e9\u4e2d${'\\'.repeat(i % 3)}`] = { i };
  (keep as unknown[]).push(named);
  const file = writeHeapSnapshot(path.join(dir, 'a.heapsnapshot'));
  const ours = aggregateSnapshot(parseSnapshotFile(file), file, 0);
  const ref = reference(file);
  assert.equal(ours.types.size, ref.size);
  for (const [name, s] of ref) assert.deepEqual(ours.types.get(name), s, name);
  assert.ok((ours.types.get('ParserProbe')?.count ?? 0) >= 3000);
  const g = parseSnapshotFile(file);
  const j = JSON.parse(readFileSync(file, 'utf8'));
  // Only the names the analysis reads are built: far fewer strings than the table holds.
  assert.ok(g.strings.length + 3000 < j.strings.length, `${g.strings.length} of ${j.strings.length} strings built`);
  for (const k of Object.keys(named)) assert.ok(g.strings.includes(k), `property name ${JSON.stringify(k)} kept, escapes decoded`);
  assertSameGraph(g, file);
});

test('chunk boundaries anywhere (inside numbers, escapes, multi-byte characters) give the same graph', () => {
  const file = writeHeapSnapshot(path.join(dir, 'c.heapsnapshot'));
  const whole = parseSnapshotFile(file);
  assertSameGraph(whole, file);
  for (const chunkSize of [7, 61, 4093]) {
    const g = parseSnapshotFile(file, { chunkSize });
    for (const k of ['nodeType', 'nodeName', 'nodeId', 'nodeSize', 'firstEdge', 'edgeType', 'edgeName', 'edgeTo', 'closureLines'] as const) {
      assert.deepEqual(g[k], whole[k], `${k} with ${chunkSize}-byte chunks`);
    }
    assert.deepEqual(g.strings, whole.strings, `strings with ${chunkSize}-byte chunks`);
  }
});

test('a truncated or non-snapshot file is an input error naming the problem', () => {
  const file = writeHeapSnapshot(path.join(dir, 'b.heapsnapshot'));
  const text = readFileSync(file);
  const cases: [string, Buffer | string, RegExp][] = [
    ['truncated-nodes.heapsnapshot', text.subarray(0, Math.floor(text.length * 0.3)), /not a complete V8 heap snapshot: the file ends inside a numeric array/],
    ['truncated-strings.heapsnapshot', text.subarray(0, text.length - 200), /not a complete V8 heap snapshot/],
    ['notes.heapsnapshot', 'hello, these are notes', /not a complete V8 heap snapshot: it does not start with \{/],
    ['other.json', '{"a":1}', /not a complete V8 heap snapshot: missing snapshot, nodes, edges, strings/],
  ];
  for (const [name, content, re] of cases) {
    const f = path.join(dir, name);
    writeFileSync(f, content);
    assert.throws(() => parseSnapshotFile(f), (e: unknown) => e instanceof LeakError && e.exitCode === 2 && re.test(e.message), name);
  }
});
