// A census result comes from the target: each field is checked before it is believed (#18.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCensus } from '../../../../src/profile/python/census-shape.js';
import { LeakError } from '../../../../src/errors.js';
import type { GrowingType } from '../../../../src/types.js';

const good = () => ({
  version: 1, pid: 42, python: '3.12.1', mode: 'full', time: 1.7e9, pause_s: 0.1, total_s: 0.2, objects: 10, bytes: 1000,
  types: { Foo: [3, 300], 'numpy.ndarray': [1, 80] }, autograd: {}, biggest_containers: [[120, 'list']],
  paths: { Foo: 'history (list, 3 items, 0.3 KB)' },
  holders: { Foo: [{ path: 'history (list, 3 items, 0.3 KB)', share: 1, bytes: 300 }] }, warnings: [], census_rss_kb: 9000,
});

test('a well-formed census passes as is', () => {
  const r = checkCensus(good(), 42);
  assert.deepEqual(r.types.Foo, [3, 300]);
  assert.equal(r.holders.Foo![0]!.share, 1);
});

test('the first census\'s container sizes pass as they are', () => {
  assert.deepEqual(checkCensus({ ...good(), sizes: [140234, 20, 140300, 16] }, 42).sizes, [140234, 20, 140300, 16]);
});

test('an older census without holders or paths gets empty ones', () => {
  const c: Record<string, unknown> = good();
  delete c.holders;
  delete c.paths;
  const r = checkCensus(c, 42);
  assert.deepEqual([r.holders, r.paths], [{}, {}]);
});

const bad: [string, (c: Record<string, unknown>) => void, RegExp][] = [
  ['a string count', (c) => ((c.types as Record<string, unknown>).Foo = ['3', 300]), /types has a bad entry/],
  ['a negative byte count', (c) => ((c.types as Record<string, unknown>).Foo = [3, -1]), /types has a bad entry/],
  ['an infinite time', (c) => (c.pause_s = 1e400), /pause_s is not a time/],
  ['types as a list', (c) => (c.types = [[1, 2]]), /types is not an object/],
  ['four holders', (c) => ((c.holders as Record<string, unknown[]>).Foo = [1, 2, 3, 4].map(() => ({ path: 'x', share: 0.2, bytes: 1 }))), /holders has a bad entry/],
  ['a share above 1', (c) => ((c.holders as Record<string, unknown[]>).Foo = [{ path: 'x', share: 2, bytes: 1 }]), /holders has a bad entry/],
  ['a 1 MB path', (c) => ((c.paths as Record<string, unknown>).Foo = 'x'.repeat(1 << 20)), /paths has a bad entry/],
  ['a warning that is an object', (c) => (c.warnings = [{}]), /warnings is not a short list/],
  ['biggest containers as strings', (c) => (c.biggest_containers = ['list']), /biggest_containers/],
  ['a device figure as text', (c) => (c.device = { cuda_tensor_bytes: 'lots' }), /device has a bad entry/],
  ['container sizes of odd length', (c) => (c.sizes = [140234, 20, 140300]), /sizes is not a list of \[id, entries\] pairs/],
  ['a negative container size', (c) => (c.sizes = [140234, -1]), /sizes is not a list/],
];
for (const [what, spoil, msg] of bad) {
  test(`refused with one line, exit 3: ${what}`, () => {
    const c: Record<string, unknown> = good();
    spoil(c);
    assert.throws(() => checkCensus(c, 42), (e: unknown) => e instanceof LeakError && e.exitCode === 3 && msg.test(e.message) && !e.message.includes('\n'));
  });
}

test('holders become the grower\'s retainer_path and, where several, clusters with estimated shares; text names each', async () => {
  const { nameHolders } = await import('../../../../src/profile/python/profile-python.js');
  const { renderProfileText } = await import('../../../../src/report/profile-text.js');
  const g: GrowingType = { type: 'Record', counts: [100, 300], bytes: [1e6, 3e6], count_delta: 200, bytes_delta: 2e6, bytes_per_min: null, retainer_path: null };
  nameHolders(g, { paths: {}, holders: { Record: [{ path: 'history (list, 300 items, 2.9 MB)', share: 0.5, bytes: 3e6 }, { path: 'registry.by_id (dict, 150 items, 1.4 MB)', share: 0.5, bytes: 1.5e6 }] } });
  assert.equal(g.retainer_path, 'history (list, 300 items, 2.9 MB)');
  assert.deepEqual(g.clusters!.map((c) => [c.count, c.retained_bytes, c.share]), [[100, 1e6, 0.5], [100, 1e6, 0.5]]);
  const text = renderProfileText({ target: { pid: 1, runtime: 'python' }, snapshots: [{ t_s: 0, file: null, objects: 1, bytes: 1 }, { t_s: 60, file: null, objects: 1, bytes: 1 }], growing: [g] }, 5);
  assert.match(text, /holder: 50 % of sampled instances \(≈ \+100 objects, \+976\.6 KB of the growth\), registry\.by_id \(dict, 150 items, 1\.4 MB\)/);
  const one: GrowingType = { ...g, clusters: undefined, retainer_path: null };
  nameHolders(one, { paths: { Record: 'history (list)' }, holders: {} });
  assert.deepEqual([one.retainer_path, one.clusters], ['history (list)', undefined]);
});
