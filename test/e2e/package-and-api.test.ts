// The package as users get it: what the tarball holds, the package root importable by name, --version on
// every bin, and the node:test example run for real (passing as written, failing with a planted leak).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths.js';

test('npm pack ships the library and bins with their sources in the maps, and no tests or benches', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files: string[] = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
  for (const must of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/bin/leak-track.js', 'scripts/census/modules.txt', 'scripts/census/run.py', 'scripts/leak_detective_hook.py', 'LICENSE', 'README.md', 'DESIGN.md', 'package.json']) {
    assert.ok(files.includes(must), `the tarball lacks ${must}`);
  }
  // Every module the census payload joins (scripts/census/modules.txt) is in the tarball.
  const modules = readFileSync(path.join(ROOT, 'scripts/census/modules.txt'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const m of modules) assert.ok(files.includes(`scripts/census/${m}`), `the tarball lacks scripts/census/${m}`);
  assert.deepEqual(files.filter((f) => /^dist\/(test|bench)\//.test(f) || f.startsWith('fixtures/') || f.startsWith('test/')), []);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  for (const bin of Object.values(pkg.bin as Record<string, string>)) assert.ok(files.includes(bin.replace(/^\.\//, '')), `bin ${bin} not shipped`);
  // Source maps only with their sources: every shipped map carries sourcesContent.
  const map = JSON.parse(readFileSync(path.join(ROOT, 'dist/src/index.js.map'), 'utf8')) as { sourcesContent?: string[] };
  assert.ok(map.sourcesContent?.[0]?.includes('assertNoLeak'), 'maps inline their sources');
  assert.ok(pkg.repository && pkg.homepage && pkg.license === 'MIT');
});

test('the package root imports by name and exposes the documented API', async () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
    const m = await import('leak-detective');
    console.log(JSON.stringify(Object.keys(m).sort()));
    const a = m.analyzeSeries({ t_s: Array.from({ length: 60 }, (_, i) => i * 10), mb: Array.from({ length: 60 }, (_, i) => 100 + i * 2) });
    console.log(a.classification, a.rate_mb_per_min.toFixed(1));`], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [keys, verdict] = r.stdout.trim().split('\n');
  for (const name of ['assertNoLeak', 'LeakAssertionError', 'analyzeSeries', 'checkRate', 'LeakError']) assert.ok(JSON.parse(keys!).includes(name), `${name} missing`);
  assert.equal(verdict, 'growing 12.0');
});

test('--version on every bin prints the package version and exits 0', () => {
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  for (const bin of ['leak-track', 'leak-report', 'leak-check', 'leak-profile']) {
    const r = spawnSync(process.execPath, [path.join(ROOT, `dist/src/cli/bin/${bin}.js`), '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${bin}: ${r.stderr}`);
    assert.equal(r.stdout, `${bin} ${version}\n`);
  }
});

test('the node:test example passes as written and fails, naming the holder, with the planted leak', () => {
  const example = path.join(ROOT, 'examples/node-test/request-handler.test.mjs');
  // The child is a test run of its own, not a subtest of this one: drop the runner's context variable.
  const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
  const ok = spawnSync(process.execPath, ['--test', example], { cwd: ROOT, encoding: 'utf8', env: { ...env, PLANT_LEAK: '' } });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const bad = spawnSync(process.execPath, ['--test', example], { cwd: ROOT, encoding: 'utf8', env: { ...env, PLANT_LEAK: '1' } });
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout + bad.stderr, /leak: the heap grew .* per iteration \(95 % CI .*\) over 300 iterations, more than the 256 B allowed/);
  assert.match(bad.stdout + bad.stderr, /held by sessions/);
});
