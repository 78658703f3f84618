// leak-profile's argv: a positional PID works as --pid does (as leak-track takes it; #23.2).
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseProfileArgs } from '../../../src/cli/commands/profile.js';

test('leak-profile 4242 is leak-profile --pid 4242', () => {
  const positional = parseProfileArgs(['4242', '--snapshots', '4']);
  assert.equal(positional.pid, 4242);
  assert.deepEqual(positional.snapshotFiles, []);
  assert.deepEqual(positional, parseProfileArgs(['--pid', '4242', '--snapshots', '4']));
});

test('a PID given twice, or a PID with snapshot files, is a usage error; file names stay files', () => {
  assert.throws(() => parseProfileArgs(['4242', '--pid', '4243']), /give the PID once: positionally \(4242\) or with --pid \(4243\)/);
  assert.throws(() => parseProfileArgs(['--pid', '4242', 'a.heapsnapshot', 'b.heapsnapshot']), /either --pid or --snapshot files, not both/);
  assert.deepEqual(parseProfileArgs(['a.heapsnapshot', 'b.heapsnapshot']).snapshotFiles, ['a.heapsnapshot', 'b.heapsnapshot']);
  assert.equal(parseProfileArgs(['--snapshot', '1', '2']).pid, null, 'with --snapshot, numbers are file names');
});
