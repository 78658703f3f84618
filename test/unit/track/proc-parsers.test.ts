import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcStat, readProcStat, readRssBytes } from '../../../src/track/proc-stat.js';
import { parseSmapsRollup, readSmapsRollup } from '../../../src/track/smaps-rollup.js';

test('parseProcStat handles a comm with spaces and parentheses', () => {
  const line = '4242 (python (train) x) S 1 4242 4242 0 -1 4194304 1 0 0 0 150 50 0 0 20 0 8 0 123456 1000 200 18446744073709551615';
  const st = parseProcStat(4242, line)!;
  assert.equal(st.comm, 'python (train) x');
  assert.equal(st.state, 'S');
  assert.equal(st.ppid, 1);
  assert.equal(st.cpuTicks, 200);
  assert.equal(st.startTicks, 123456);
});

test('parseProcStat agrees with a split() reading of every process on this box', () => {
  let checked = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    const f = text.slice(text.lastIndexOf(')') + 2).trim().split(' ');
    const st = parseProcStat(Number(name), text)!;
    assert.deepEqual([st.state, st.ppid, st.cpuTicks, st.startTicks], [f[0], Number(f[1]), Number(f[11]) + Number(f[12]), Number(f[19])], text);
    checked++;
  }
  assert.ok(checked > 5);
  assert.equal(parseProcStat(1, '1 (x) S'), null, 'a truncated line is refused');
});

test('readProcStat reads this process, and null for a PID that does not exist', () => {
  const st = readProcStat(process.pid)!;
  assert.equal(st.pid, process.pid);
  assert.equal(st.ppid, process.ppid);
  assert.equal(readProcStat(2 ** 22 + 12345), null);
});

test('parseSmapsRollup: USS = Private_Clean + Private_Dirty + Private_Hugetlb, in bytes', () => {
  const text = [
    '55f41ded4000-7ffd17a53000 ---p 00000000 00:00 0                          [rollup]',
    'Rss:                1724 kB', 'Pss:                 461 kB', 'Pss_Dirty:           112 kB',
    'Shared_Clean:       1548 kB', 'Private_Clean:        64 kB', 'Private_Dirty:       112 kB',
    'Private_Hugetlb:     2048 kB', 'Swap:                  8 kB', 'SwapPss:               8 kB',
  ].join('\n');
  assert.deepEqual(parseSmapsRollup(text), { rss: 1724 * 1024, pss: 461 * 1024, uss: (64 + 112 + 2048) * 1024, swap: 8 * 1024 });
  assert.equal(parseSmapsRollup('Rss: 1 kB\n'), null);
});

test('readSmapsRollup on this process agrees with statm RSS and sees a new 64 MB buffer in USS', () => {
  const before = readSmapsRollup(process.pid);
  assert.ok(before.ok);
  const buf = Buffer.alloc(64 * 1024 * 1024, 7);
  const after = readSmapsRollup(process.pid);
  assert.ok(after.ok);
  const grown = (after.reading.uss - before.reading.uss) / 1048576;
  assert.ok(grown > 60 && grown < 70, `USS grew ${grown} MB`);
  const rss = readRssBytes(process.pid)!;
  assert.ok(Math.abs(rss - after.reading.rss) / rss < 0.05);
  assert.equal(buf[123], 7);
});
