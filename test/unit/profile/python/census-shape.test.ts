// A census result comes from the target: each field is checked before it is believed (#18.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCensus } from '../../../../src/profile/python/census-shape.js';
import { LeakError } from '../../../../src/errors.js';

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
];
for (const [what, spoil, msg] of bad) {
  test(`refused with one line, exit 3: ${what}`, () => {
    const c: Record<string, unknown> = good();
    spoil(c);
    assert.throws(() => checkCensus(c, 42), (e: unknown) => e instanceof LeakError && e.exitCode === 3 && msg.test(e.message) && !e.message.includes('\n'));
  });
}
