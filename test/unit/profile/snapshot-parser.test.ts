// The streaming parser against a plain JSON.parse reference, on snapshots this test writes itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { parseSnapshotFile } from '../../../src/profile/node/snapshot-parser.js';
import { aggregateSnapshot } from '../../../src/profile/node/aggregate.js';
import { className, type HeapGraph } from '../../../src/profile/node/heap-graph.js';
import { LeakError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-snap-'));

class ParserProbe {
  constructor(public label: string) {}
}
const keep: ParserProbe[] = [];

/** Reference: the whole file through JSON.parse, the same per-type grouping. */
function reference(file: string): Map<string, { count: number; bytes: number }> {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  const g = {
    nodeFieldCount: j.snapshot.meta.node_fields.length, nodeTypes: j.snapshot.meta.node_types[0], nodes: j.nodes, strings: j.strings,
    fType: j.snapshot.meta.node_fields.indexOf('type'), fName: j.snapshot.meta.node_fields.indexOf('name'),
  } as unknown as HeapGraph;
  const fSize = j.snapshot.meta.node_fields.indexOf('self_size');
  const out = new Map<string, { count: number; bytes: number }>();
  for (let n = 0; n < j.snapshot.node_count; n++) {
    const name = className(g, n);
    const s = out.get(name) ?? { count: 0, bytes: 0 };
    s.count++;
    s.bytes += j.nodes[n * g.nodeFieldCount + fSize];
    out.set(name, s);
  }
  return out;
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
  // Every entry is either the reference text or skipped (''): contents of heap strings are not built.
  assert.equal(g.strings.length, j.strings.length);
  let skipped = 0;
  g.strings.forEach((str, i) => (str === '' && j.strings[i] !== '' ? skipped++ : assert.equal(str, j.strings[i], `string ${i}`)));
  assert.ok(skipped >= 3000, `${skipped} string contents skipped`);
  for (const k of Object.keys(named)) assert.ok(g.strings.includes(k), `property name ${JSON.stringify(k)} kept, escapes decoded`);
  assert.equal(g.edges.length, j.edges.length);
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
