import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseProcessSource } from '../../../src/track/choose-source.js';
import { LeakError } from '../../../src/errors.js';

test('procfs on Linux, portable elsewhere, LEAK_TRACK_SOURCE overrides', () => {
  assert.equal(chooseProcessSource({}, 'linux').kind, 'procfs');
  for (const p of ['darwin', 'freebsd', 'win32'] as const) assert.equal(chooseProcessSource({}, p).kind, 'portable');
  assert.equal(chooseProcessSource({ LEAK_TRACK_SOURCE: 'portable' }, 'linux').kind, 'portable');
  assert.throws(() => chooseProcessSource({ LEAK_TRACK_SOURCE: 'procfs' }, 'darwin'), (e: unknown) => e instanceof LeakError && e.code === 'usage');
  assert.throws(() => chooseProcessSource({ LEAK_TRACK_SOURCE: 'x' }, 'linux'), /procfs or portable/);
});
