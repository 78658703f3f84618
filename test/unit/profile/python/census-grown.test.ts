// A holder after the first must have grown since the first census (scripts/census/grown.py): the first
// census records its containers' sizes, leak-profile hands them back as a file (writeSizes), and the
// holder census names no old container beside the real one. Real interpreters, real censuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSizes } from '../../../../src/profile/python/take-census.js';
import { PYENV_PYTHONS, runModules } from '../../../helpers/census-modules.js';
import { PYTHON } from '../../../helpers/procs.js';

const ALL = ['base.py', 'sizer.py', 'frames.py', 'reach.py', 'edges.py', 'paths.py', 'samples.py', 'grown.py', 'holders.py', 'budget.py', 'census.py'];

test('writeSizes: the pairs sorted by id, as int64 the payload reads back', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'census-sizes-'));
  try {
    const file = writeSizes({ dir, targetUid: process.getuid?.() ?? 0 }, [2 ** 46 + 48, 17, 4096, 300, 2 ** 40, 16]);
    const { value } = runModules<number[][]>(['grown.py'], `
import json, sys
ids, then = _load_sizes(sys.argv[1])
print(json.dumps([list(ids), list(then)]))`, { args: [file] });
    assert.deepEqual(value, [[4096, 2 ** 40, 2 ** 46 + 48], [300, 16, 17]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A target module: `aliases`, a table of 300 str literals made at start-up (as encodings._aliases is),
// `archive`, a list of 200 Records that stops growing, `history` and train()'s local `seen`, which keep
// growing after the first census, and `index`, a dict whose new str keys accumulate. The first census
// (sizes: 1) runs mid-way; the holder search runs with and without its record.
const BODY = `
import gc, json, os, sys, tempfile, types, array
src = '''
class Record:
    def __init__(self, i):
        self.index = i
        self.data = bytes([i % 251]) * 1024
aliases = {${Array.from({ length: 300 }, (_, i) => `"latin_${i}": "codec_${i % 40}"`).join(', ')}}
names = [f"name-{i:04d}" for i in range(600)]
archive = [Record(i) for i in range(200)]
history = []
index = {}
def train(first, last):
    seen = {}
    for i in range(400):
        if i == 100:
            first()
        r = Record(i)
        history.append(r)
        seen[i] = r
        if i % 4 == 0:  # fewer entries than the old list of str: the even sample's answer must not win
            index[f"key-{i:06d}/" + "k" * 500] = i % 7
    return last()
'''
mod = sys.modules["target"] = types.ModuleType("target")
exec(compile(src, "train.py", "exec"), mod.__dict__)
d = tempfile.mkdtemp()
record = os.path.join(d, "sizes.bin")
def first():
    out = os.path.join(d, "first.json")
    open(out, "w").close()
    _leak_census({"out": out, "mode": "full", "sizes": 1})
    with open(out) as f:
        flat = json.load(f)["sizes"]
    pairs = array.array("q", [x for p in sorted(zip(flat[0::2], flat[1::2])) for x in p])
    with open(record, "wb") as f:
        f.write(pairs.tobytes())  # as writeSizes writes it (its own test above)
def last():
    growth = {"Record": 300, "str": 75}
    got = {}
    for mode in ("without", "with"):
        warnings = []
        grown = _grown_since(record if mode == "with" else None, warnings)
        _, holders = _holder_paths(gc.get_objects(), ["Record", "str"], lambda t: t.__name__, 5.0, set(), warnings, growth, grown)
        got[mode] = {k: [h["path"].split(" (")[0] for h in v] for k, v in holders.items()}
        got[mode]["warnings"] = warnings
    return got
print(json.dumps(mod.train(first, last)))`;

for (const [version, python] of Object.entries({ default: PYTHON, ...PYENV_PYTHONS })) {
  test(`grown (${version}): old containers of the type (a table of literals, a list that stopped) are not named; both growing holders are`, () => {
    const { value, stderr } = runModules<Record<'with' | 'without', Record<string, string[]>>>(ALL, BODY, { python });
    assert.equal(stderr, '');
    // without the record old containers are named (a table, os.__all__, the archive): what this guards against
    assert.notDeepEqual(value.without.str, ['target.index'], JSON.stringify(value.without));
    assert.ok(value.without.Record!.includes('target.archive'), JSON.stringify(value.without));
    assert.deepEqual(value.with.warnings, []);
    assert.deepEqual(value.with.str, ['target.index']);
    assert.deepEqual([...value.with.Record!].sort(), ['target.history', 'train.py:train() local seen']);
  });
}
