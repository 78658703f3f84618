import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTrackArgs } from '../../../src/cli/commands/track-args.js';
import { LeakError } from '../../../src/errors.js';

const env = {};
const usage = (re: RegExp) => (e: unknown) => e instanceof LeakError && e.exitCode === 2 && re.test(e.message);

test('positional numbers keep the order of track_leak_precisely.py: PID DURATION_MIN INTERVAL_S', () => {
  const a = parseTrackArgs(['4242', '10', '3'], env);
  assert.deepEqual(a.target, { kind: 'pid', pid: 4242 });
  assert.equal(a.durationS, 600);
  assert.equal(a.intervalS, 3);
  assert.equal(a.db, 'leak-track.db');
});

test('defaults, fractions and named flags', () => {
  const a = parseTrackArgs(['--find-training'], env);
  assert.deepEqual([a.durationS, a.intervalS, a.children], [600, 2, true]);
  const b = parseTrackArgs(['--find-training', '0.5', '1'], env);
  assert.deepEqual([b.durationS, b.intervalS], [30, 1]);
  const c = parseTrackArgs(['4242', '--duration', '0', '--interval', '500ms', '--no-children'], env);
  assert.deepEqual([c.durationS, c.intervalS, c.children], [0, 0.5, false]);
  assert.equal(parseTrackArgs(['1', '--db', 'x.db'], { LEAK_TRACK_DB: 'env.db' }).db, 'x.db');
  assert.equal(parseTrackArgs(['1'], { LEAK_TRACK_DB: 'env.db' }).db, 'env.db');
});

test('launch mode: numbers before --, the command after, its own flags untouched', () => {
  const a = parseTrackArgs(['2', '1', '--', 'python', 'train.py', '--lr', '3', '-h'], env);
  assert.deepEqual(a.target, { kind: 'launch', command: ['python', 'train.py', '--lr', '3', '-h'] });
  assert.deepEqual([a.durationS, a.intervalS], [120, 1]);
});

test('--match and --max-rate units', () => {
  const a = parseTrackArgs(['--match', 'model-garden serve', '30', '5', '--max-rate', '3GB/h'], env);
  assert.deepEqual(a.target, { kind: 'match', pattern: 'model-garden serve' });
  assert.equal(a.maxRate, 51.2);
});

test('bad input names the value', () => {
  assert.throws(() => parseTrackArgs(['4242', '-5'], env), usage(/-5|Unknown/));
  assert.throws(() => parseTrackArgs(['4242', 'zero'], env), usage(/--duration.*`zero`/));
  assert.throws(() => parseTrackArgs(['4242', '10', '0'], env), usage(/--interval must be greater than zero, got `0`/));
  assert.throws(() => parseTrackArgs(['abc'], env), usage(/PID must be a positive whole number, got `abc`/));
  assert.throws(() => parseTrackArgs([], env), usage(/no target/));
  assert.throws(() => parseTrackArgs(['--find-training', '--match', 'x'], env), usage(/choose one target/));
  assert.throws(() => parseTrackArgs(['4242', '--bogus'], env), usage(/Unknown argument/));
  assert.throws(() => parseTrackArgs(['4242', '--max-rate', 'fast'], env), usage(/--max-rate.*`fast`/));
  assert.throws(() => parseTrackArgs(['4242', '1', '2', '3'], env), usage(/too many numbers/));
});

test('two targets, an interval past 1 h and a size without a time unit are refused by name', () => {
  assert.throws(() => parseTrackArgs(['4242', '--match', 'python'], env), usage(/^two targets: `4242` \(a PID\) and --match python; give one/));
  assert.throws(() => parseTrackArgs(['4242', '--find-training', '10'], env), usage(/^two targets: `4242` \(a PID\) and --find-training/));
  assert.equal(parseTrackArgs(['--match=python', '90'], env).durationS, 5400, 'after --match=REGEX too');
  assert.equal(parseTrackArgs(['--match', 'python', '10', '3'], env).durationS, 600, 'numbers after --match stay DURATION INTERVAL');
  assert.throws(() => parseTrackArgs(['4242', '--interval', '25d'], env), usage(/^--interval must be at most 1h .*got `25d`$/));
  assert.throws(() => parseTrackArgs(['4242', '10', '61m'], env), usage(/at most 1h/));
  assert.equal(parseTrackArgs(['4242', '600', '1h'], env).intervalS, 3600);
  assert.throws(() => parseTrackArgs(['4242', '--max-rate', '50GB'], env), usage(/^--max-rate needs a time unit after the size, e\.g\. 50GB\/min or 50GB\/h, got `50GB`$/));
  assert.equal(parseTrackArgs(['4242', '--max-rate', '50GB/h'], env).maxRate, (50 * 1024) / 60);
});
