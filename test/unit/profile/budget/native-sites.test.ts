// Reading bpftrace's per-caller sums: unfreed bytes kept, wrapped (freed more than allocated) and
// zero sites dropped, raw addresses named by module+offset through the target's memory map.
import { traceScope } from '../../../../src/profile/native/trace-native.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameAddress, parseMaps, parseSites, rankSites } from '../../../../src/profile/native/sites-parse.js';
import { sitesScript } from '../../../../src/profile/native/sites-script.js';

const OUT = `Attaching 9 probes...
attached


@bytes[_PyObject_Realloc]: 0
@bytes[_PyList_AppendTakeRefListResize]: 1024
@bytes[0x7fa410c6df7a]: 8388608
@bytes[some_free_heavy_fn]: 18446744073709551104

@n[_PyObject_Realloc]: 0
@n[_PyList_AppendTakeRefListResize]: 1
@n[0x7fa410c6df7a]: 128
`;
const MAPS = `7fa410c67000-7fa410c6c000 r--p 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libffi.so.8.1.2
7fa410c6c000-7fa410c72000 r-xp 00005000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libffi.so.8.1.2
7fa410d00000-7fa410d01000 rw-p 00000000 00:00 0
`;

test('per-caller sums: unfreed bytes kept, nothing-left and wrapped-negative sites dropped', () => {
  const s = parseSites(OUT);
  assert.deepEqual(s.map((x) => x.site).sort(), ['0x7fa410c6df7a', '_PyList_AppendTakeRefListResize']);
  assert.equal(s.find((x) => x.site === '0x7fa410c6df7a')!.allocations, 128);
});

test('raw addresses are named by module and file offset; unknown ones say so', () => {
  const maps = parseMaps(MAPS);
  assert.equal(maps.length, 2, 'anonymous mappings are not modules');
  assert.equal(nameAddress('0x7fa410c6df7a', maps), 'libffi.so.8.1.2+0x6f7a');
  assert.match(nameAddress('0x7fa410d00010', maps), /anonymous memory/);
  assert.equal(nameAddress('PyMem_Malloc', maps), 'PyMem_Malloc');
  const ranked = rankSites(parseSites(OUT), maps, 1);
  assert.deepEqual(ranked, [{ site: 'libffi.so.8.1.2+0x6f7a', bytes: 8388608, allocations: 128 }]);
});

test('the bpftrace program follows one PID and refuses paths it could not quote', () => {
  const p = sitesScript(4242, '/proc/4242/root/lib/x86_64-linux-gnu/libc.so.6');
  for (const fn of ['malloc', 'calloc', 'realloc', 'free']) assert.match(p, new RegExp(`uprobe:/proc/4242/root/lib/x86_64-linux-gnu/libc.so.6:${fn} /pid == 4242`));
  assert.match(p, /uretprobe:.*:malloc,uretprobe:.*:calloc,uretprobe:.*:realloc/);
  assert.throws(() => sitesScript(4242, '/tmp/x"; system("id")'));
  assert.throws(() => sitesScript(0, '/lib/libc.so.6'));
});

test('who --native-sites slows: every process that maps the libc before bpftrace 0.20 (it ignores -p for a shared library), only the target from 0.20', () => {
  assert.match(traceScope('bpftrace v0.17.0\n', 42), /^EVERY process on this machine that uses the same libc .* not only PID 42 \(bpftrace 0\.17 cannot limit/);
  assert.match(traceScope('', 42), /^EVERY process .*version unknown/);
  assert.equal(traceScope('bpftrace v0.20.1', 42), "only PID 42's malloc/free run slower meanwhile (10-150×)");
  assert.match(traceScope('bpftrace v1.0.0', 42), /^only PID 42/);
});
