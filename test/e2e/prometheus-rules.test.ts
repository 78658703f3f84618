// The shipped alerting rules: valid for promtool, and behaving as their unit tests say (fire after
// the `for` period, only on the leaking series). A copy with a wrong expectation must fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { ROOT } from '../helpers/paths.js';

const DIR = path.join(ROOT, 'prometheus');
const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8' });

test('promtool check rules accepts the shipped rule file', () => {
  const r = promtool('check', 'rules', 'leak-detective.rules.yml');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 3 rules found/);
});

test('promtool test rules: the alerts fire when and where the tests say', () => {
  const r = promtool('test', 'rules', 'leak-detective.rules.test.yml');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test('the rule tests can fail: a copy expecting the rate alert at 14 minutes is rejected', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(path.join(DIR, 'leak-detective.rules.yml'), path.join(dir, 'leak-detective.rules.yml'));
  const tests = readFileSync(path.join(DIR, 'leak-detective.rules.test.yml'), 'utf8');
  const broken = tests.replace('- eval_time: 16m', '- eval_time: 14m');
  assert.notEqual(broken, tests);
  writeFileSync(path.join(dir, 't.yml'), broken);
  const r = spawnSync('promtool', ['test', 'rules', 't.yml'], { cwd: dir, encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'promtool must reject the wrong expectation');
  assert.match(r.stdout + r.stderr, /MemoryLeakRateHigh/);
});

test('the package ships the rules', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('prometheus'));
});
