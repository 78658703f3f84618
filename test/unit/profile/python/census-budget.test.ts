// scripts/census/budget.py under each supported interpreter (and Debian's, with torch): glibc's
// mallinfo2 and pymalloc's arenas are read, nothing is printed into the target, and --trim's
// gc.collect() + malloc_trim(0) gives back the holes that 2 KiB objects, 19 of 20 freed, leave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PYENV_PYTHONS, runModules } from '../../../helpers/census-modules.js';
import { TORCH1_PYTHON } from '../../../helpers/python.js';

const BODY = `
import json, sys
X = b"x" * 2047
burst = [X + bytes((i & 255,)) for i in range(40 * 512)]
kept = burst[::20]
del burst
r = _leak_budget(trim=True)
print(json.dumps(r))
`;

for (const [version, python] of [...Object.entries(PYENV_PYTHONS), ['Debian 3.11 (torch 1.13)', TORCH1_PYTHON] as const]) {
  test(`budget.py on Python ${version}: mallinfo2, pymalloc and a trim that gives the holes back`, () => {
    const { value: r, stderr } = runModules<Record<string, any>>(['budget.py'], BODY, { python });
    assert.equal(stderr, '', 'nothing printed into the target');
    assert.equal(r.error, undefined, r.error);
    assert.ok(r.malloc.fordblks > 30 * 1048576, `free in the allocator: ${r.malloc.fordblks}`);
    for (const k of ['arena', 'hblkhd', 'uordblks', 'keepcost']) assert.equal(typeof r.malloc[k], 'number', k);
    assert.ok(r.pymalloc.arenas_bytes > 0 && r.pymalloc.allocated_bytes > 0 && r.pymalloc.free_bytes >= 0, JSON.stringify(r.pymalloc));
    assert.ok(r.pymalloc.allocated_bytes + r.pymalloc.free_bytes <= r.pymalloc.arenas_bytes);
    assert.ok(r.trim.uss_before - r.trim.uss_after > 25 * 1048576, `trim gave back ${(r.trim.uss_before - r.trim.uss_after) / 1048576} MB`);
  });
}
