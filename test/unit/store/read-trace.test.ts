import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { readTrace } from '../../../src/store/read-trace.js';
import { LeakError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-trace-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const MiB = 1048576;

test('CSV with pid: one series per pid, first is main, blank metric cells are gaps', () => {
  const f = write('multi.csv', 't_s,pid,uss_bytes,rss_bytes\n0,10,100,200\n0,11,50,\n1.5,10,110,210\n1.5,11,55,60\n');
  const s = readTrace(f);
  assert.equal(s.processes.length, 2);
  assert.equal(s.processes[0]!.info.role, 'main');
  assert.equal(s.processes[1]!.info.role, 'child');
  assert.deepEqual(s.processes[0]!.t_ms, [0, 1500]);
  assert.deepEqual(s.processes[1]!.rss, [null, 60]);
  assert.equal(s.info.interval_s, 1.5);
});

test('psrecord plain log: Real (MB) is RSS in MiB', () => {
  const f = write('ps.log', '# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n       0.000        0.000       10.500      100.000\n       1.000       50.000       12.000      101.000\n');
  const s = readTrace(f);
  assert.deepEqual(s.processes[0]!.rss, [10.5 * MiB, 12 * MiB]);
  assert.deepEqual(s.processes[0]!.cpu, [0, 50]);
});

test('bad rows are input errors naming the line', () => {
  const cases: [string, RegExp][] = [
    ['t_s,uss_bytes\n0,100\n1,abc\n', /line 3: uss_bytes must be a non-negative number, got `abc`/],
    ['t_s,uss_bytes\n0,100\n1,200,300\n', /line 3/],
    ['time,memory\n0,1\n', /line 1: header must have t_s/],
    ['t_s,uss_bytes\n5,100\n1,100\n', /line 3: t_s goes backwards/],
    ['# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n0 0 1\n', /line 2: expected 4 numbers/],
  ];
  for (const [text, re] of cases) {
    const f = write('bad.csv', text);
    assert.throws(() => readTrace(f), (e: unknown) => e instanceof LeakError && e.exitCode === 2 && re.test(e.message), text);
  }
  assert.throws(() => readTrace(path.join(dir, 'nope.csv')), (e: unknown) => e instanceof LeakError && e.exitCode === 3);
});

test('a last line with no newline (a log still being written, cut mid-number) is left out and said; every complete line is read', () => {
  const f = write('cut.csv', 't_s,uss_bytes\n0,100\n1,200\n2,30');
  const s = readTrace(f);
  assert.deepEqual(s.processes[0]!.uss, [100, 200], 'the 30 (maybe the start of 300…) is not believed');
  assert.equal(s.notes?.length, 1);
  assert.match(s.notes![0]!, /^trace .*cut\.csv: its last line \(line 4, `2,30`\) has no newline \(still being written\?\): left out$/);
  const ps = write('cut.log', '# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n       0.000        0.000       10.500      100.000\n       1.000       50.000       12');
  const p = readTrace(ps);
  assert.deepEqual(p.processes[0]!.rss, [10.5 * MiB]);
  assert.match(p.notes![0]!, /line 3, `       1\.000       50\.000       12`\) has no newline/);
  assert.equal(readTrace(write('whole.csv', 't_s,uss_bytes\n0,100\n1,200\n')).notes, undefined, 'a file ending in a newline has no note');
  assert.equal(readTrace(write('blank-end.csv', 't_s,uss_bytes\n0,100\n  ')).notes, undefined, 'an unterminated blank last line holds no number');
});

test('only the last line is forgiven: a malformed complete line before it is refused; a header with no newline or no complete sample says why', () => {
  const cases: [string, RegExp][] = [
    ['t_s,uss_bytes\n0,100\n1,2x\n2,30', /line 3: uss_bytes must be a non-negative number, got `2x`/],
    ['t_s,uss_bytes', /its only line has no newline at its end \(still being written\?\)/],
    ['t_s,uss_bytes\n0,1', /has a header but no samples \(its last line, line 2, has no newline, so it was left out\)/],
  ];
  for (const [text, re] of cases) {
    const f = write('bad-cut.csv', text);
    assert.throws(() => readTrace(f), (e: unknown) => e instanceof LeakError && e.exitCode === 2 && re.test(e.message), text);
  }
});
