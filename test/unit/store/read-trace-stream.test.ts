// The streamed --trace reader: values validated line by line, long traces bucketed onto the DB path's
// grid with exact counts and extremes, and the same answers as reading every row.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { readTrace } from '../../../src/store/read-trace.js';
import { buildSessionReport } from '../../../src/report/session-report.js';
import { LeakError } from '../../../src/errors.js';
import { runBin } from '../../helpers/procs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-trace-stream-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (text: string, name = `t${n++}.csv`) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const MiB = 1048576;
const isInputError = (re: RegExp) => (e: unknown) => e instanceof LeakError && e.exitCode === 2 && re.test(e.message);

test('impossible values are input errors naming the line and what to do', () => {
  const cases: [string, RegExp][] = [
    ['t_s,uss_bytes\n0,100\n1,1e307\n', /line 3: uss_bytes = 1e307 is more than a petabyte, not a memory size; check the column's unit \(bytes\)/],
    ['t_s,rss_bytes\n0,100\n1,-5\n', /line 3: rss_bytes must be a non-negative number, got `-5`/],
    ['t_s,pss_bytes\n0,NaN\n', /line 2: pss_bytes must be a non-negative number, got `NaN`/],
    ['t_s,uss_bytes\n0,100\nNaN,100\n', /line 3: t_s must be a non-negative number of seconds, got `NaN`/],
    ['t_s,uss_bytes\n0,100\n2,100\n1,100\n', /line 4: t_s goes backwards \(1 after 2\).*sort the file by t_s/],
    ['t_s,pid,uss_bytes\n0,1,100\n1,1,100\n1,1,100\n', /line 4: t_s repeats \(1 after 1 for pid 1\)/],
    ['t_s,uss_bytes\n1700000000000,100\n', /line 2: t_s = 1700000000000 is not a time in seconds.*not milliseconds/],
    ['t_s,pid,uss_bytes\n0,1.5,100\n', /line 2: pid must be a non-negative whole number, got `1.5`/],
    ['t_s,uss_bytes\n0,100\n1,Infinity\n', /line 3: uss_bytes must be a non-negative number, got `Infinity`/],
    ['# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n0 0 1e300 5\n', /line 2: Real \(MB\) = 1e300 is more than a petabyte.*\(MiB\)/],
    ['# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n2 0 1 5\n1 0 1 5\n', /line 3: t_s goes backwards/],
    ['', /is empty/],
    ['t_s,uss_bytes\n', /has a header but no samples/],
  ];
  for (const [text, re] of cases) assert.throws(() => readTrace(write(text)), isInputError(re), text);
});

test('rows by process (not interleaved), CRLF line ends, quoted cells and blank lines read as interleaved ones', () => {
  const a = readTrace(write('t_s,pid,uss_bytes\r\n0,1,100\r\n0,2,50\r\n1,1,110\r\n1,2,55\r\n'));
  const b = readTrace(write('"t_s","pid","uss_bytes"\n0,1,100\n1,1,110\n\n0,2,"50"\n1,2,55\n'));
  for (const s of [a, b]) {
    assert.deepEqual(s.processes.map((p) => [p.info.pid, p.info.role, p.t_ms, p.uss]), [
      [1, 'main', [0, 1000], [100, 110]],
      [2, 'child', [0, 1000], [50, 55]],
    ]);
    assert.equal(s.ticks, 2);
  }
});

test('an optional name column names the processes', () => {
  const s = readTrace(write('t_s,pid,name,uss_bytes\n0,1,python3,100\n0,2,pt_data_worker,50\n1,1,python3,110\n1,2,,55\n'));
  assert.deepEqual(s.processes.map((p) => p.info.name), ['python3', 'pt_data_worker']);
  assert.equal(readTrace(write('t_s,pid,uss_bytes\n0,7,1\n')).processes[0]!.info.name, 'pid 7');
});

test('a long trace is bucketed onto ≤ 8,000 points per process with exact figures, and reports what the raw rows give', () => {
  let seed = 5;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 4;
  const lines = ['t_s,pid,rss_bytes,uss_bytes,pss_bytes'];
  for (let i = 0; i < 20_000; i++) {
    const leak = Math.round((500 + (12 * i) / 60 + noise()) * MiB) + (i === 7777 ? 900 * MiB : 0);
    const flat = Math.round((300 + noise()) * MiB);
    lines.push(`${i},10,${flat + 50 * MiB},${flat},${flat}`);
    // the child's USS read every 3rd tick only (as the tracker's cost governor does)
    lines.push(`${i},11,${leak + 50 * MiB},${i % 3 === 0 || i === 7777 ? leak : ''},${i % 3 === 0 || i === 7777 ? leak : ''}`);
  }
  const f = write(lines.join('\n') + '\n');
  const raw = readTrace(f, 1e9);
  const bucketed = readTrace(f);
  assert.equal(raw.bucketMs, null);
  assert.equal(bucketed.bucketMs, Math.ceil((19_999_000 + 1) / 8000));
  assert.equal(bucketed.ticks, 20_000);
  for (const p of bucketed.processes) assert.ok(p.t_ms.length <= 8000, `${p.t_ms.length} points`);
  assert.deepEqual(bucketed.processes[0]!.t_ms, bucketed.processes[1]!.t_ms, 'one grid for every process');
  const a = buildSessionReport(raw).report.processes;
  const b = buildSessionReport(bucketed).report.processes;
  assert.deepEqual(b.map((p) => p.role), ['main', 'child', 'tree']);
  for (let i = 0; i < 3; i++) {
    assert.equal(b[i]!.classification, a[i]!.classification, `${b[i]!.role}`);
    assert.ok(Math.abs(b[i]!.rate_mb_per_min! - a[i]!.rate_mb_per_min!) < 0.05 * Math.max(1, Math.abs(a[i]!.rate_mb_per_min!)), `${b[i]!.role}: ${b[i]!.rate_mb_per_min} vs ${a[i]!.rate_mb_per_min}`);
  }
  assert.equal(b[1]!.classification, 'growing');
  assert.ok(Math.abs(b[1]!.rate_mb_per_min! - 12) < 0.6, `child rate ${b[1]!.rate_mb_per_min}`);
  assert.equal(b[1]!.samples, 6668);
  for (const k of ['first_mb', 'last_mb', 'min_mb', 'max_mb'] as const) assert.equal(b[1]![k], a[1]![k], k);
  assert.ok(b[1]!.max_mb! > 1400, 'the one 900 MB blip survives as the exact max');
  assert.equal(b[2]!.samples, 20_000, 'tree: ticks');
});

test('leak-report --trace on a corrupt value: exit 2, one line naming the line and the fix, no NaN verdict', async () => {
  const f = write('t_s,uss_bytes\n0,1000000\n1,1e307\n2,1000000\n');
  const r = await runBin('leak-report', ['--trace', f, '--json']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^leak-report: .*: line 3: uss_bytes = 1e307 is more than a petabyte/);
  const c = await runBin('leak-check', ['--trace', write('t_s,uss_bytes\n0,5\n3,4\n2,6\n'), '--max-rate', '50']);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /line 4: t_s goes backwards/);
});
