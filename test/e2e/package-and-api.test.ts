// The package as users get it: what the tarball holds, the package root importable by name, --version on
// every bin, and the node:test example run for real (passing as written, failing with a planted leak).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
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

test('after a rebuild the bins stay executable: npx leak-report --version works after a second `npm run build`', () => {
  // npx links the bins and sets their executable bit once; tsc writes them 0644 again on every build (#23.1).
  // A copy of the package (sources only, our node_modules linked) so the shared dist/ is not rebuilt under
  // the tests running beside this one; npx's cache is private to the copy.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leak-rebuild-'));
  try {
    for (const f of ['package.json', 'tsconfig.json', 'src', 'scripts']) cpSync(path.join(ROOT, f), path.join(dir, f), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    mkdirSync(path.join(dir, '.npm'));
    const env = { ...process.env, npm_config_cache: path.join(dir, '.npm'), npm_config_offline: 'true', npm_config_update_notifier: 'false' };
    const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: dir, env, encoding: 'utf8' });
    for (const round of ['first', 'second']) {
      const build = run('npm', ['run', 'build']);
      assert.equal(build.status, 0, `${round} build: ${build.stdout}${build.stderr}`);
      const r = run('npx', ['leak-report', '--version']);
      assert.equal(r.status, 0, `npx leak-report after the ${round} build: ${r.stderr}`);
      assert.match(r.stdout, /^leak-report \d+\.\d+\.\d+\n$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // And the dist/ this suite runs (built by `npm test` itself) has every bin executable.
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  for (const bin of Object.values(pkg.bin)) assert.equal(statSync(path.join(ROOT, bin)).mode & 0o111, 0o111, `${bin} is not executable`);
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
