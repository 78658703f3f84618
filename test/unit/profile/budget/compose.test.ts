// The budget from plain readings: which part dominates, the remainder, the words, and what is left
// out when a figure is missing or not believable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mb, nodeBudget, pythonBudget } from '../../../../src/profile/budget/compose.js';
import { nodeReading, pythonReading } from '../../../../src/profile/budget/readings.js';
import { trimResult } from '../../../../src/profile/budget/trim-verdict.js';
import { renderProfileText } from '../../../../src/report/profile-text.js';
import { renderProfileHtml } from '../../../../src/report/html/profile-html.js';
import type { ProfileReport } from '../../../../src/types.js';

const M = 1048576;
const malloc = (fordblks: number) => ({ arena: 0, hblkhd: 0, uordblks: 0, fordblks, keepcost: 0 });
const pm = (free_bytes: number) => ({ arenas_bytes: 0, allocated_bytes: 0, free_bytes });

test('Python: a native leak is the remainder, and the first line says so', () => {
  const b = pythonBudget([
    { t_s: 0, uss: 100 * M, objects_bytes: 10 * M, malloc: malloc(1 * M), pymalloc: pm(0) },
    { t_s: 20, uss: 130 * M, objects_bytes: 10 * M, malloc: malloc(1 * M), pymalloc: pm(0) }, // a middle census below the ends' top is not in the split
    { t_s: 40, uss: 161 * M, objects_bytes: 10.02 * M, malloc: malloc(1.1 * M), pymalloc: pm(0) },
  ])!;
  assert.equal(b.dominant, 'native');
  assert.equal(b.uss_delta, 61 * M);
  assert.equal(Math.round(b.parts.reduce((s, p) => s + p.bytes, 0)), 61 * M, 'the parts add up to the USS growth');
  assert.equal(b.verdict, 'USS +61 MB in 40 s: Python objects +0.02 MB, free in pymalloc +0.00 MB, free in the allocator +0.10 MB, native (not visible to Python) +61 MB: a C extension or library allocates and does not free');
});

test('Python: objects and allocator free space each dominate when they are the growth', () => {
  const objs = pythonBudget([
    { t_s: 0, uss: 100 * M, objects_bytes: 0, malloc: malloc(0), pymalloc: null },
    { t_s: 10, uss: 150 * M, objects_bytes: 48 * M, malloc: malloc(0), pymalloc: null },
  ])!;
  assert.equal(objs.dominant, 'python_objects');
  assert.ok(!objs.parts.some((p) => p.key === 'pymalloc_free'), 'no pymalloc figure, no pymalloc part');
  const frag = pythonBudget([
    { t_s: 0, uss: 100 * M, objects_bytes: 0, malloc: malloc(0), pymalloc: pm(0) },
    { t_s: 10, uss: 150 * M, objects_bytes: 2 * M, malloc: malloc(46 * M), pymalloc: pm(0) },
  ])!;
  assert.equal(frag.dominant, 'allocator_free');
  assert.match(frag.verdict, /--trim.*MALLOC_ARENA_MAX/);
});

test('Python: free chunks whose pages were trimmed are not claimed beyond the unexplained growth', () => {
  const b = pythonBudget([
    { t_s: 0, uss: 100 * M, objects_bytes: 0, malloc: malloc(0), pymalloc: null },
    { t_s: 10, uss: 110 * M, objects_bytes: 0, malloc: malloc(300 * M), pymalloc: null },
  ])!;
  assert.equal(b.parts.find((p) => p.key === 'allocator_free')!.bytes, 10 * M);
  assert.equal(b.parts.find((p) => p.key === 'native')!.bytes, 0);
});

test('Python: without mallinfo (not glibc) the remainder is named for both things it may be', () => {
  const b = pythonBudget([
    { t_s: 0, uss: 0, objects_bytes: 0, malloc: null, pymalloc: null },
    { t_s: 10, uss: 30 * M, objects_bytes: 0, malloc: null, pymalloc: null },
  ])!;
  assert.equal(b.dominant, 'native_or_free');
});

test('no budget without USS at two censuses; small growth names no part', () => {
  assert.equal(pythonBudget([{ t_s: 0, uss: null, objects_bytes: 0, malloc: null, pymalloc: null }, { t_s: 1, uss: 5, objects_bytes: 0, malloc: null, pymalloc: null }]), null);
  const b = pythonBudget([{ t_s: 0, uss: 10 * M, objects_bytes: 0, malloc: null, pymalloc: null }, { t_s: 9, uss: 11 * M, objects_bytes: 0, malloc: null, pymalloc: null }])!;
  assert.equal(b.dominant, null);
  assert.match(b.verdict, /no growth worth splitting/);
});

test('Node: ArrayBuffers, external and native are told apart', () => {
  const r = (t_s: number, uss: number, used: number, total: number, ext: number, ab: number) => { const x = { t_s, uss, heap_used: used, heap_total: total, external: ext, array_buffers: ab }; return { before: x, after: x }; };
  assert.equal(nodeBudget([r(0, 100 * M, 10 * M, 20 * M, 5 * M, 4 * M), r(9, 150 * M, 10 * M, 20 * M, 53 * M, 52 * M)])!.dominant, 'array_buffers');
  assert.equal(nodeBudget([r(0, 100 * M, 10 * M, 20 * M, 5 * M, 4 * M), r(9, 150 * M, 10 * M, 20 * M, 53 * M, 4 * M)])!.dominant, 'external_other');
  assert.equal(nodeBudget([r(0, 100 * M, 10 * M, 20 * M, 5 * M, 4 * M), r(9, 150 * M, 40 * M, 50 * M, 5 * M, 4 * M)])!.dominant, 'v8_heap_used');
  const n = nodeBudget([r(0, 100 * M, 10 * M, 20 * M, 5 * M, 4 * M), r(9, 150 * M, 10 * M, 20 * M, 5 * M, 4 * M)])!;
  assert.equal(n.dominant, 'native');
  assert.equal(n.parts.find((p) => p.key === 'native')!.bytes, 50 * M);
});

test('readings from the target: bad figures are dropped, never believed', () => {
  const ok = pythonReading(0, 1, 2, { malloc: { arena: 1, hblkhd: 2, uordblks: 3, fordblks: 4, keepcost: 5, extra: 'x' }, pymalloc: { arenas_bytes: 1, allocated_bytes: 2, free_bytes: 'lots' } });
  assert.deepEqual(ok.malloc, { arena: 1, hblkhd: 2, uordblks: 3, fordblks: 4, keepcost: 5 });
  assert.equal(ok.pymalloc, null);
  assert.equal(pythonReading(0, 1, 2, { malloc: { arena: -1, hblkhd: 2, uordblks: 3, fordblks: 4, keepcost: 5 } }).malloc, null);
  assert.equal(pythonReading(0, 1, 2, 'junk').malloc, null);
  assert.deepEqual(nodeReading(1, 9, '{"rss":1,"heapTotal":4,"heapUsed":3,"external":2,"arrayBuffers":1}'), { t_s: 1, uss: 9, heap_used: 3, heap_total: 4, external: 2, array_buffers: 1 });
  assert.equal(nodeReading(1, 9, '{"heapTotal":4,"heapUsed":3,"external":2}'), null);
  assert.equal(nodeReading(1, 9, 'not json'), null);
  assert.equal(nodeReading(1, 9, { heapUsed: 1 }), null);
});

test('--trim: fragmentation when trimming gives memory back, live otherwise; remedies only for fragmentation', () => {
  const frag = trimResult({ uss_before: 403 * M, uss_after_gc: 403 * M, uss_after: 81 * M, malloc_before: malloc(330 * M), malloc_after: malloc(330 * M), seconds: 0.2 });
  assert.ok(typeof frag !== 'string' && frag.fragmentation);
  assert.match((frag as { verdict: string }).verdict, /^fragmentation: malloc_trim gave back 322 MB \(USS 403 → 81 MB\); what is left is live\..*MALLOC_ARENA_MAX.*jemalloc.*malloc_trim\(0\) periodically/);
  const live = trimResult({ uss_before: 403 * M, uss_after_gc: 403 * M, uss_after: 403 * M, malloc_before: malloc(0), malloc_after: malloc(0) });
  assert.ok(typeof live !== 'string' && !live.fragmentation);
  assert.match((live as { verdict: string }).verdict, /^malloc_trim gave back 0 MB .*: the native memory is live/);
  assert.doesNotMatch((live as { verdict: string }).verdict, /MALLOC_ARENA_MAX/);
  assert.equal(typeof trimResult({ error: 'not glibc: malloc_trim is not available\x1b[31m' }), 'string');
  assert.doesNotMatch(trimResult({ error: 'x\x1b[31m' }) as string, /\x1b/);
  assert.equal(typeof trimResult({ uss_before: 'a' }), 'string');
});

test('the budget leads the text report and has its section on the HTML page', () => {
  const budget = pythonBudget([
    { t_s: 0, uss: 100 * M, objects_bytes: 0, malloc: malloc(0), pymalloc: null },
    { t_s: 40, uss: 161 * M, objects_bytes: 0, malloc: malloc(0), pymalloc: null },
  ])!;
  const rep: ProfileReport = { target: { pid: 1, runtime: 'python' }, snapshots: [{ t_s: 0, file: null, objects: 1, bytes: 1 }, { t_s: 40, file: null, objects: 1, bytes: 1 }], growing: [], budget };
  const text = renderProfileText(rep, 5);
  assert.equal(text.split('\n')[0], budget.verdict);
  assert.match(text, /native \(not visible to Python\) +\+61 MB +100 % +◀ dominates/);
  const html = renderProfileHtml(rep, 5);
  assert.match(html, /<section id="budget">.*USS \+61 MB in 40 s.*class="dominant"><td>native \(not visible to Python\)/s);
  assert.equal(mb(-0.001), '0.00 MB');
});

test('Python: pages that stopped being shared (a forked worker copied on write) are their own part, not native', () => {
  // A DataLoader worker under leak-track --explain (a run of rec_dataloader.py --worker-leak 60): USS +52 MB
  // in 11 s where the worker grows 60 MB/min; the census's own walk copied ~40 MB of the parent's pages,
  // which the remainder called "native … 79 %" while the growing types said numpy arrays did it all.
  const b = pythonBudget([
    pythonReading(0, 100 * M, 50 * M, { malloc: malloc(0), pymalloc: pm(0) }, 90 * M),
    pythonReading(11, 152 * M, 60 * M, { malloc: malloc(0.1 * M), pymalloc: pm(1 * M) }, 49 * M),
  ])!;
  const part = (k: string) => b.parts.find((p) => p.key === k)?.bytes;
  assert.equal(part('unshared'), 41 * M);
  assert.ok(Math.abs(part('native')!) < 0.2 * M, JSON.stringify(b.parts));
  assert.equal(b.dominant, 'unshared');
  assert.match(b.verdict, /pages no longer shared \(copy-on-write\) \+41 MB, .*: pages this process shared with another became its own \(copy-on-write in a forked worker/);
  assert.equal(Math.round(b.parts.reduce((s, p) => s + p.bytes, 0)), 52 * M, 'the parts add up to the USS growth');
  // never more than the growth the objects leave unexplained, and nothing where sharing grew
  const capped = pythonBudget([pythonReading(0, 100 * M, 0, {}, 90 * M), pythonReading(10, 110 * M, 8 * M, {}, 0)])!;
  assert.equal(capped.parts.find((p) => p.key === 'unshared')!.bytes, 2 * M);
  const more = pythonBudget([pythonReading(0, 100 * M, 0, {}, 10 * M), pythonReading(10, 130 * M, 0, {}, 60 * M)])!;
  assert.ok(!more.parts.some((p) => p.key === 'unshared'));
});

test('Python: pages a neighbour stopped sharing are named but are not growth to split (a freed native burst in CI read +6.3 MB)', () => {
  // CI, budget-python "a native burst freed again": USS +6.3 MB net, 4.5 MB of it pages that stopped being
  // shared (another python of the suite exited), the rest pymalloc and allocator free space: it was called
  // "copy-on-write" dominant though the program grew by under 2 MB.
  const b = pythonBudget([
    pythonReading(0, 100 * M, 50 * M, { malloc: malloc(0), pymalloc: pm(0) }, 30 * M),
    pythonReading(9, 106.3 * M, 50.03 * M, { malloc: malloc(0.76 * M), pymalloc: pm(0.97 * M) }, 25.5 * M),
  ])!;
  assert.equal(b.parts.find((p) => p.key === 'unshared')?.bytes, 4.5 * M);
  assert.equal(b.dominant, null, b.verdict);
  assert.match(b.verdict, /: no growth worth splitting \(under 2 MB once the 4\.5 MB of pages no longer shared are set aside: pages this process shared/);
  // the same set-aside with 3 MB of the program's own growth on top: there is growth, and its split is told
  const grown = pythonBudget([
    pythonReading(0, 100 * M, 50 * M, { malloc: malloc(0), pymalloc: pm(0) }, 30 * M),
    pythonReading(9, 109.3 * M, 53.03 * M, { malloc: malloc(0.76 * M), pymalloc: pm(0.97 * M) }, 25.5 * M),
  ])!;
  assert.notEqual(grown.dominant, null, grown.verdict);
});

const nr = (t_s: number, uss: number, used = 10 * M, ab = 0) => ({ t_s, uss, heap_used: used, heap_total: used + 2 * M, external: ab + M, array_buffers: ab });

test("Node: what leak-profile's own snapshots leave in the target is not blamed on native code", () => {
  // JS objects grow 40 MB; the first snapshot left 30 MB and the last one 200 MB (a bigger heap) in the allocator.
  const b = nodeBudget([
    { before: nr(0, 10 * M), after: nr(1, 40 * M) },
    { before: nr(9, 80 * M, 50 * M), after: nr(10, 280 * M, 50 * M) },
  ])!;
  assert.equal(b.dominant, 'v8_heap_used', b.verdict);
  assert.equal(b.uss_delta, 40 * M);
  assert.equal(b.parts.find((p) => p.key === 'native')!.bytes, 0);
  assert.equal(b.first_capture_left, 30 * M);
  // A snapshot between them: what it left is its own part, not native.
  const c = nodeBudget([
    { before: nr(0, 10 * M), after: nr(1, 40 * M) },
    { before: nr(5, 40 * M), after: nr(6, 90 * M) },
    { before: nr(9, 90 * M), after: nr(10, 95 * M) },
  ])!;
  assert.equal(c.parts.find((p) => p.key === 'snapshots')!.bytes, 50 * M);
  assert.equal(c.parts.find((p) => p.key === 'native')!.bytes, 0);
  // Never the verdict: the target's own growth here is nothing, and the line says what the 50 MB is.
  assert.equal(c.dominant, null, c.verdict);
  assert.match(c.verdict, /^USS \+50 MB in 8 s \(50 MB of it kept after leak-profile's own snapshots, not the target's\): .*no growth worth splitting/);
});

test('Node: Buffers that reuse what the first snapshot left: native below zero is explained', () => {
  const b = nodeBudget([
    { before: nr(0, 10 * M), after: nr(1, 40 * M) },
    { before: nr(9, 69 * M, 10 * M, 48 * M), after: nr(10, 90 * M, 10 * M, 48 * M) },
  ])!;
  assert.equal(b.dominant, 'array_buffers');
  assert.equal(b.parts.find((p) => p.key === 'native')!.bytes, -19 * M);
  assert.match(b.verdict, /native below zero: the growth reused memory the allocator had kept free after leak-profile's first snapshot, which left 30 MB/);
});

test('a USS that rose between the ends and came back: the net is split, and the rise is said', () => {
  const py = (t_s: number, uss: number) => ({ t_s, uss, objects_bytes: 0, malloc: null, pymalloc: null });
  const b = pythonBudget([py(0, 10 * M), py(5, 60 * M), py(10, 11 * M)])!;
  assert.equal(b.dominant, null);
  assert.equal(b.uss_peak, 60 * M);
  assert.equal(b.uss_peak_t_s, 5);
  assert.match(b.verdict, /no growth worth splitting .*; meanwhile USS rose 49 MB above both ends \(5 s into the window\) and fell back: the split is of the net growth/);
  // A rise that stays is growth, not a peak.
  assert.equal(pythonBudget([py(0, 10 * M), py(5, 60 * M), py(10, 61 * M)])!.uss_peak, undefined);
});
