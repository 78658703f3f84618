// The census and its holders on each CPython the project supports (#19.4): a real target under pyenv's
// 3.11, 3.12 and 3.13 (scripts/install-test-deps.sh checks they are there), injected through gdb, its
// objects kept both in a module-level list and in a long-running function's local dict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPython } from '../helpers/python.js';
import { profilePid, watch } from '../helpers/profile-run.js';
import { PYENV_PYTHONS } from '../helpers/census-modules.js';

test('census and holders on CPython 3.11, 3.12 and 3.13', { concurrency: true }, async (t) => {
  await Promise.all(Object.entries(PYENV_PYTHONS).map(([version, python]) => t.test(version, async () => {
    const p = startPython(python, 'py_two_holders.py', ['--shape', 'list-and-local', '--per-s', '50', '--kb', '4']);
    const w = watch(p);
    try {
      await w.ready;
      const { rep } = await profilePid(p.pid!, ['--snapshots', '3', '--interval', '1']);
      const g = rep.growing.find((x) => x.type === 'Record');
      assert.ok(g, JSON.stringify(rep.growing.map((x) => x.type)));
      const paths = (g.clusters ?? []).map((c) => c.path.replace(/ \(.*$/, '')).sort();
      assert.deepEqual(paths, ['history', 'py_two_holders.py:train() local seen'], JSON.stringify(g));
      // ~50 Records of 4 KB a second: the bytes grow with them, counted inside the census
      assert.ok(g.count_delta > 20 && g.bytes_delta > g.count_delta * 4096, JSON.stringify(g));
    } finally {
      p.kill('SIGTERM');
    }
    const end = await w.done;
    assert.match(end.stdout, /^ok \d+$/m, `the target checked its own state: ${end.stdout}${end.stderr}`);
  })));
});
