// Corrupt heap snapshots must be refused (exit 2, the file and the fault named), never read as growth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { parseSnapshotFile } from '../../../src/profile/node/snapshot-parser.js';
import { className } from '../../../src/profile/node/heap-graph.js';
import { LeakError } from '../../../src/errors.js';
import { runBin } from '../../helpers/procs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-snapval-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const META = {
  node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
  node_types: [['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'], 'string', 'number', 'number', 'number', 'number', 'number'],
  edge_fields: ['type', 'name_or_index', 'to_node'],
  edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
};

/** A minimal valid snapshot: a synthetic root holding one Foo through the property "cache". */
function snapshot(o: { header?: string; nodes?: number[]; edges?: number[]; strings?: string; nodeCount?: number; edgeCount?: number } = {}): string {
  const nodes = o.nodes ?? [9, 0, 1, 0, 1, 0, 0, 3, 1, 3, 100, 0, 0, 0];
  const edges = o.edges ?? [2, 2, 7];
  const header = o.header ?? JSON.stringify({ meta: META, node_count: o.nodeCount ?? nodes.length / 7, edge_count: o.edgeCount ?? edges.length / 3, trace_function_count: 0 });
  return `{"snapshot":${header},\n"nodes":[${nodes.join(',')}],\n"edges":[${edges.join(',')}],\n"trace_function_infos":[],"samples":[],"locations":[],\n"strings":${o.strings ?? '["","Foo","cache"]'}}`;
}

let n = 0;
function write(text: string): string {
  const file = path.join(dir, `s${n++}.heapsnapshot`);
  writeFileSync(file, text);
  return file;
}

/** Parsing must throw an input error (exit 2) naming the file and matching `what`. */
function assertRefused(file: string, what: RegExp): void {
  assert.throws(() => parseSnapshotFile(file), (e: unknown) => {
    assert.ok(e instanceof LeakError, `a LeakError, got ${String(e)}`);
    assert.equal(e.exitCode, 2, e.message);
    assert.ok(e.message.startsWith(`${file} is not a complete V8 heap snapshot: `), e.message);
    assert.match(e.message, what);
    return true;
  });
}

test('the minimal hand-written snapshot parses: the fixture itself is valid', () => {
  const g = parseSnapshotFile(write(snapshot()));
  assert.equal(g.nodeCount, 2);
  assert.equal(className(g, 1), 'Foo');
  assert.equal(g.strings[g.edgeName[0]!], 'cache');
});

test('a strings table cut short (a node name past its end) is refused', () => {
  assertRefused(write(snapshot({ strings: '["","Foo"]' })), /edge 0 names string 2, past the 2 strings/);
  assertRefused(write(snapshot({ strings: '[""]' })), /node 1 names string 1, past the 1 strings \(truncated strings table\?\)/);
});

test('a real snapshot with its strings table truncated (complete JSON) is refused', () => {
  const real = writeHeapSnapshot(path.join(dir, 'real.heapsnapshot'));
  const j = JSON.parse(readFileSync(real, 'utf8')) as { strings: string[] };
  const text = readFileSync(real, 'utf8');
  const at = text.lastIndexOf('"strings":');
  const cut = `${text.slice(0, at)}"strings":${JSON.stringify(j.strings.slice(0, Math.floor(j.strings.length / 2)))}}`;
  assertRefused(write(cut), /past the \d+ strings/);
  // and the file ending inside the table
  assertRefused(write(text.slice(0, text.length - 1000)), /ends inside the strings table|string never ends/);
});

test('an invalid JSON escape is refused, in a kept string and in a skipped one', () => {
  assertRefused(write(snapshot({ strings: '["","Fo\\qo","cache"]' })), /invalid escape/);
  // index 3 is not referenced by any name, so the parser skips it without building it: still checked
  assertRefused(write(snapshot({ strings: '["","Foo","cache","x\\q"]' })), /invalid escape \\q in the strings table/);
  assertRefused(write(snapshot({ strings: '["","Foo","cache","x\\u12G4"]' })), /invalid \\u escape/);
  // valid escapes of every kind still pass
  const g = parseSnapshotFile(write(snapshot({ edges: [2, 3, 7], strings: '["","Foo","cache","\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"]' })));
  assert.equal(g.strings[g.edgeName[0]!], '"\\/\b\f\n\r\t\u00e9');
});

test('an edge pointing outside the nodes, or between two nodes, is refused', () => {
  assertRefused(write(snapshot({ edges: [2, 2, 14] })), /edge 0 points to node offset 14, outside the 2 nodes/);
  assertRefused(write(snapshot({ edges: [2, 2, 5] })), /edge 0 points to node offset 5/);
  assertRefused(write(snapshot({ edges: [9, 2, 7] })), /edge 0 has type 9, past the 7 edge types/);
  assertRefused(write(snapshot({ nodes: [9, 0, 1, 0, 1, 0, 0, 99, 1, 3, 100, 0, 0, 0] })), /node 1 has type 99/);
  // the nodes' edge counts must add up to edge_count, or edges are attributed to the wrong nodes
  assertRefused(write(snapshot({ nodes: [9, 0, 1, 0, 2, 0, 0, 3, 1, 3, 100, 0, 0, 0] })), /the nodes own 2 edges but edge_count is 1/);
});

test('invalid header JSON, a missing meta, absurd or negative counts are refused without allocating them', () => {
  assertRefused(write(snapshot({ header: '{"meta":{"node_fields":["type",]}}' })), /the "snapshot" header is not valid JSON/);
  assertRefused(write(snapshot({ header: '{"node_count":2,"edge_count":1}' })), /no meta with node_fields/);
  assertRefused(write(snapshot({ nodeCount: 4_000_000_000 })), /node_count 4000000000 is more than a file of \d+ bytes can hold/);
  assertRefused(write(snapshot({ edgeCount: 1e15 })), /edge_count 1000000000000000 is more than a file/);
  assertRefused(write(snapshot({ nodeCount: -1 })), /node_count -1 is not a whole number/);
  assertRefused(write(snapshot({ nodeCount: 1.5 })), /node_count 1.5 is not a whole number/);
  assertRefused(write(snapshot({ header: JSON.stringify({ meta: { ...META, edge_fields: ['to_node', 'type', 'name_or_index'] }, node_count: 2, edge_count: 1 }) })), /unsupported edge layout/);
  // a huge string index in a name must not size an allocation
  assertRefused(write(snapshot({ nodes: [9, 0, 1, 0, 1, 0, 0, 3, 4_000_000_000, 3, 100, 0, 0, 0] })), /refers to string 4000000000, more strings than the file can hold/);
});

test('leak-profile --snapshot: a corrupt second file is exit 2 with one line naming it, never a growth report', async () => {
  const good = write(snapshot());
  const grown = write(snapshot({ nodes: [9, 0, 1, 0, 1, 0, 0, 3, 1, 3, 100, 0, 0, 0, 3, 1, 5, 100, 0, 0, 0], nodeCount: 2 }));
  const r = await runBin('leak-profile', ['--snapshot', good, grown, '--json']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.replace(/^leak-profile: parsed .*\n/m, ''), `leak-profile: ${grown} is not a complete V8 heap snapshot: expected 14 node fields, found 21; take it again, or check the file was fully written\n`);
  const absurd = write(snapshot({ nodeCount: 2 ** 40 }));
  const r2 = await runBin('leak-profile', ['--snapshot', good, absurd]);
  assert.equal(r2.code, 2, r2.stderr);
  assert.equal(r2.stderr.trim().split('\n').length, 2, r2.stderr); // the first file's progress line, then the error
  assert.match(r2.stderr, new RegExp(`\nleak-profile: ${absurd.replace(/[.]/g, '\\.')} is not a complete V8 heap snapshot: node_count 1099511627776`));
  const bad = write(snapshot({ header: '{not json' }));
  const r3 = await runBin('leak-profile', ['--snapshot', good, bad]);
  assert.equal(r3.code, 2, r3.stderr);
  assert.match(r3.stderr, /\nleak-profile: .* the "snapshot" header is not valid JSON; take it again/);
});

test('the tokeniser: any chunk size gives the same graph; past-32-bit sizes and ids widen; escapes and multi-byte names survive a split', () => {
  // node 1: self_size 5e9 and id 2^32 + 1 (past Uint32), named with escapes and multi-byte characters
  const text = snapshot({ nodes: [9, 0, 1, 0, 1, 0, 0, 3, 1, 4294967297, 5000000000, 0, 0, 0], edges: [2, 2, 7], strings: '["","F\\u00f6o \\"q\\" é中\\n","cache"]' });
  const ref = parseSnapshotFile(write(text));
  assert.equal(ref.nodeSize[1], 5_000_000_000);
  assert.equal(ref.nodeId[1], 4_294_967_297);
  assert.equal(className(ref, 1), 'Föo "q" é中\n');
  for (let chunkSize = 1; chunkSize <= 24; chunkSize++) {
    const g = parseSnapshotFile(write(text), { chunkSize });
    for (const k of ['nodeType', 'nodeName', 'nodeId', 'nodeSize', 'firstEdge', 'edgeType', 'edgeName', 'edgeTo'] as const) assert.deepEqual(g[k], ref[k], `${k}, ${chunkSize}-byte chunks`);
    assert.deepEqual(g.strings, ref.strings, `strings, ${chunkSize}-byte chunks`);
  }
});

test('the tokeniser: signs, fractions, exponents and stray characters in the numeric arrays are refused', () => {
  const ok = [9, 0, 1, 0, 1, 0, 0, 3, 1, 3, 100, 0, 0, 0].join(',');
  for (const [bad, what] of [['-3', '"-"'], ['3.5', '"."'], ['1e3', '"e"'], ['1E3', '"E"'], ['"3"', '"\\""'], ['null', '"n"']] as const) {
    const text = snapshot().replace(`"nodes":[${ok}]`, `"nodes":[${ok.replace('3,100', `${bad},100`)}]`);
    assert.notEqual(text, snapshot(), bad);
    assertRefused(write(text), new RegExp(`unexpected ${what.replace(/[.\\]/g, '\\$&')} in a numeric array`));
  }
  // and in the edges, in each chunk size (the fault may be found at a chunk's first byte)
  for (const chunkSize of [1, 2, 5, 4096]) {
    const file = write(snapshot().replace('"edges":[2,2,7]', '"edges":[2,-2,7]'));
    assert.throws(() => parseSnapshotFile(file, { chunkSize }), (e: unknown) => e instanceof LeakError && e.exitCode === 2 && /unexpected "-" in a numeric array/.test(e.message));
  }
});

test('leak-profile --snapshot: a snapshot cut anywhere is exit 2 with one line, never 70', async () => {
  const good = write(snapshot());
  const text = snapshot();
  for (const at of [5, text.indexOf('"nodes"') + 12, text.indexOf('"edges"') + 10, text.indexOf('"strings"') + 14, text.length - 1]) {
    const cut = write(text.slice(0, at));
    const r = await runBin('leak-profile', ['--snapshot', good, cut]);
    assert.equal(r.code, 2, `cut at ${at}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`leak-profile: ${cut.replace(/[.]/g, '\\.')} is not a complete V8 heap snapshot: [^\\n]*\\n$`), `cut at ${at}`);
  }
});

test('a writer that puts the strings table first: read whole, names still checked', () => {
  const first = (s: string) => s.replace(/^\{("snapshot":.*?),\n("nodes".*),\n"strings":(\[.*\])\}$/s, '{$1,\n"strings":$3,\n$2}');
  const g = parseSnapshotFile(write(first(snapshot())));
  assert.equal(className(g, 1), 'Foo');
  assert.equal(g.strings[g.edgeName[0]!], 'cache');
  assertRefused(write(first(snapshot({ strings: '["","Foo"]' }))), /edge 0 names string 2, past the 2 strings/);
});
