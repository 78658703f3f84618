// Each module of the census payload (scripts/census/) on its own, under a real interpreter run with
// -X dev -W error (a warning anywhere would fail the run), on small objects whose answer is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { censusModules, censusPayload, CENSUS_DIR } from '../../../../src/profile/python/census-payload.js';
import { PYENV_PYTHONS, runModules } from '../../../helpers/census-modules.js';
import { PYTHON } from '../../../helpers/procs.js';
import { SCRIPTS } from '../../../helpers/paths.js';
import { readFileSync } from 'node:fs';

test('modules.txt lists every module of scripts/census once, run.py last, each under 300 lines', () => {
  const names = censusModules();
  assert.equal(names[names.length - 1], 'run.py');
  assert.equal(new Set(names).size, names.length);
  for (const n of names) {
    const lines = readFileSync(path.join(CENSUS_DIR, n), 'utf8').split('\n').length;
    assert.ok(lines <= 300, `${n} has ${lines} lines`);
  }
});

test('the hook joins the same payload as leak-profile (one module list for both)', () => {
  // under -X dev -W error: a file the hook left to the collector would print a ResourceWarning
  const r = spawnSync(PYTHON, ['-X', 'dev', '-W', 'error', '-c', `import sys, json; sys.path.insert(0, ${JSON.stringify(SCRIPTS)}); import leak_detective_hook as h; print(json.dumps(h._payload()))`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(JSON.parse(r.stdout) as string, censusPayload());
});

test('base: sizes read as KB/MB, a result written into the pre-created file, never through a link', () => {
  const { value } = runModules<Record<string, unknown>>(['base.py'], `
import json, os, tempfile
d = tempfile.mkdtemp()
out = os.path.join(d, "r.json"); open(out, "w").close()
_write_result(out, '{"a": 1}')
with open(out) as f: written = f.read()
os.symlink(out, os.path.join(d, "link"))
try:
    _write_result(os.path.join(d, "link"), "x"); followed = True
except OSError:
    followed = False
print(json.dumps({"fmt": [_fmt(512), _fmt(3 * 1048576)], "len": [_length([1, 2]), _length(3)], "written": written, "followed": followed, "rss": _give_back()}))`);
  assert.deepEqual(value.fmt, ['0.5 KB', '3.0 MB']);
  assert.deepEqual(value.len, [2, null]);
  assert.equal(value.written, '{"a": 1}\n');
  assert.equal(value.followed, false);
  assert.ok(typeof value.rss === 'number' && value.rss > 1000);
});

test('base: the holder search\'s time is its own CPU time (a busy machine does not spend it), wall time a backstop', () => {
  // CI: on 2 shared cores the search passed 3 s of wall time and named no holder (closure, lru shapes)
  const { value } = runModules<boolean[]>(['base.py'], `
import json, time
passed = _deadline(0.2)
time.sleep(0.4)  # off the CPU, as when the machine runs others: the budget is not spent
out = [passed()]
t = time.thread_time()
while time.thread_time() - t < 0.25:
    pass
out.append(passed())
cap = _deadline(0.05, wall_factor=2)
time.sleep(0.15)
out.append(cap())
print(json.dumps(out))`);
  assert.deepEqual(value, [false, true, true]);
});

test('reach: a holder\'s size counts what it keeps (10 x 100 KB of bytes in a list)', () => {
  const { value } = runModules<number>(['base.py', 'sizer.py', 'reach.py'], `
import json
kept = [bytes(100 * 1024) for _ in range(10)]
print(json.dumps(_reach_bytes(kept, _deadline(5), [])))`);
  assert.ok(value >= 10 * 100 * 1024 && value < 11 * 100 * 1024, String(value));
});

for (const [version, python] of Object.entries({ default: PYTHON, ...PYENV_PYTHONS })) {
  test(`frames (${version}): a running function's locals are named by file, function and name`, () => {
  const { value } = runModules<string[]>(['frames.py'], `
import json
src = "def main(run):\\n    processor = {'cache': []}\\n    return run(processor)\\n"
ns = {}
exec(compile(src, "train.py", "exec"), ns)
print(json.dumps(ns["main"](lambda p: [_frame_locals({"leak_census.py"}).get(id(p))])))`, { python });
  assert.deepEqual(value, ['train.py:main() local processor']);
});

  // CI once read `main.<locals>.<lambda>() local processor` when the census landed inside a lambda
  // of main() that reads main's `processor` (a free variable): it is named where it is defined.
  // Before 3.13 both frames hold the cell, not the value: the name is looked up for either.
  test(`frames (${version}): a free variable is named in the function that defines it, not the lambda reading it`, () => {
  const { value } = runModules<string[]>(['frames.py'], `
import json
src = "def main():\\n    processor = {'cache': []}\\n    step = lambda: (processor, _frame_locals({'leak_census.py'}))\\n    p, names = step()\\n    return [names.get(id(p)) or names.get(id(step.__closure__[0]))]\\n"
ns = {"_frame_locals": _frame_locals}
exec(compile(src, "train.py", "exec"), ns)
print(json.dumps(ns["main"]()))`, { python });
  assert.deepEqual(value, ['train.py:main() local processor']);
});
}

test('census: counts a class\'s instances and the bytes they keep, and writes one result line', () => {
  const { value } = runModules<{ types: Record<string, [number, number]>; objects: number; mode: string }>(['base.py', 'sizer.py', 'budget.py', 'census.py'], `
import json, os, tempfile
class Kept:
    def __init__(self): self.data = bytes(10000)
kept = [Kept() for _ in range(300)]
out = os.path.join(tempfile.mkdtemp(), "r.json"); open(out, "w").close()
_leak_census({"out": out, "mode": "full"})
with open(out) as f: text = f.read()
assert text.endswith("\\n") and text.count("\\n") == 1
print(text)`);
  const [n, b] = value.types['Kept']!;
  assert.equal(n, 300);
  assert.ok(b >= 300 * 10000 && b < 300 * 12000, `${b} bytes`);
  assert.equal(value.mode, 'full');
});

test('run: whose fault a failure is: a replaced gc function or the target\'s own code is the target\'s, ours is a bug', () => {
  const { value } = runModules<string[]>(['base.py'], `
import gc, json
faults = []
real = gc.get_referrers
gc.get_referrers = lambda *a: []
try:
    _check_genuine()
except Exception as e:
    faults.append(_fault_of(e) + ": " + str(e))
gc.get_referrers = real
_check_genuine()
ns = {}
exec(compile("class Odd:\\n    def __len__(self): raise ValueError('no')\\n", "target.py", "exec"), ns)
for f in (lambda: len(ns["Odd"]()), lambda: 1 // 0):
    try:
        f()
    except Exception as e:
        faults.append(_fault_of(e))
print(json.dumps(faults))`);
  assert.match(value[0]!, /^target: it replaced gc\.get_referrers \(now function <lambda>\)/);
  assert.deepEqual(value.slice(1), ['target', 'census']);
});

const HOLDERS_BODY = `
import gc, json, os, tempfile, time
src = '''
class Record:
    def __init__(self, i):
        self.index = i
        self.data = bytes([i % 251]) * 4096
history = []
index = {}
def train(run):
    seen = {}
    for i in range(600):
        r = Record(i)
        history.append(r)
        seen[i] = r
        index[f"key-{i:06d}/" + "k" * 500] = i % 7
    return run()
'''
import sys, types
mod = sys.modules["target"] = types.ModuleType("target")
ns = mod.__dict__
exec(compile(src, "train.py", "exec"), ns)
def run():
    out = os.path.join(tempfile.mkdtemp(), "r.json")
    open(out, "w").close()
    growth = {"Record": 600, "bytes": 600, "str": 600}
    paths, holders = _holder_paths(gc.get_objects(), ["Record", "bytes", "str"], lambda t: t.__name__, 5.0, set(), [], growth)
    return {k: [(h["path"].split(" (")[0], h["share"]) for h in v] for k, v in holders.items()}
print(json.dumps(ns["train"](run)))`;

const ALL = ['base.py', 'sizer.py', 'frames.py', 'reach.py', 'edges.py', 'paths.py', 'samples.py', 'holders.py'];
for (const [version, python] of Object.entries({ default: PYTHON, ...PYENV_PYTHONS })) {
  test(`holders (${version}): a module list and a function's local dict both named, bytes by attribute, str keys by their dict`, () => {
    const { value, stderr } = runModules<Record<string, [string, number][]>>(ALL, HOLDERS_BODY, { python });
    assert.equal(stderr, '');
    assert.deepEqual(value.Record!.map((h) => h[0]).sort(), ['target.history', 'train.py:train() local seen']);
    assert.ok(value.Record!.every((h) => h[1] === 1), JSON.stringify(value.Record));
    assert.match(value.bytes![0]![0], /^(target\.history\[i\]\.data|train\.py:train\(\) local seen\[k\]\.data)$/);
    assert.deepEqual(value.str!.map((h) => h[0]), ['target.index']);
  });
}

test('holders: a search out of time says which types it left unnamed', () => {
  const { value } = runModules<{ holders: unknown; warnings: string[] }>(ALL, HOLDERS_BODY.replace(
    /paths, holders = _holder_paths\(.*\n.*\n/, `w = []
    paths, holders = _holder_paths(gc.get_objects(), ["Record", "str"], lambda t: t.__name__, 0.0, set(), w, growth)
    return {"holders": holders, "warnings": w}
`));
  assert.deepEqual(value.holders, {});
  assert.deepEqual(value.warnings, ['the holder search ran out of its 0 s before Record, str: their holders are unnamed']);
});

test('samples: instances put alternately into two containers are sampled about half from each, for every population size', () => {
  // Evenly spaced indices follow the allocation order's period: the old sampler drew 21 of 24 from one of
  // two alternating containers at 51 of 800 population sizes (a fresh-clone run named one holder at 87.5 %).
  const { value } = runModules<number[]>(['samples.py'], `
import json
shares = []
for k in range(200, 1000):
    picks = _spread(list(range(k)))
    assert len(picks) == SAMPLES and len(set(picks)) == SAMPLES
    shares.append(sum(1 for p in picks if p % 2 == 0) / SAMPLES)
print(json.dumps(shares))`);
  const off = value.filter((s) => s <= 0.2 || s >= 0.8).length;
  assert.ok(off <= 4, `${off} of ${value.length} population sizes sampled 80 % or more from one side`);
});

// A fresh-clone run named `ImageProcessor.__call__() local self → ._cache` when the census landed inside
// the method: the same dict is `processor.image_processor._cache` from a module global, as the code keeps it.
const METHOD_BODY = `
import gc, json
src = '''
class Record:
    def __init__(self, i):
        self.data = bytes([i % 251]) * 4096
class ImageProcessor:
    def __init__(self):
        self._cache = {}
    def __call__(self, i, census):
        self._cache[i] = Record(i)
        return census() if census else None
class Processor:
    def __init__(self):
        self.image_processor = ImageProcessor()
processor = Processor()
'''
import sys, types
mod = sys.modules["target"] = types.ModuleType("target")
ns = mod.__dict__
exec(compile(src, "train.py", "exec"), ns)
for i in range(599):
    ns["processor"].image_processor(i, None)
def census():
    paths, holders = _holder_paths(gc.get_objects(), ["Record"], lambda t: t.__name__, 5.0, set(), [], {"Record": 600})
    return [h["path"].split(" (")[0] for h in holders["Record"]]
print(json.dumps(ns["processor"].image_processor(599, census)))`;

for (const [version, python] of Object.entries({ default: PYTHON, ...PYENV_PYTHONS })) {
  test(`holders (${version}): a path from a module global names the container, not the running method's self`, () => {
    const { value, stderr } = runModules<string[]>(ALL, METHOD_BODY, { python });
    assert.equal(stderr, '');
    assert.deepEqual(value, ['target.processor.image_processor._cache']);
  });
}
