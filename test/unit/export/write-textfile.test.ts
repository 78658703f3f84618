// The textfile is replaced whole (temp file, then rename), never written through a link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { checkTextfileDir, removeTextfile, textfilePath, writeTextfile } from '../../../src/export/write-textfile.js';
import { isLeakError } from '../../../src/errors.js';

test('written whole, 0644, no temp file left; rewritten in place', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-tf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = textfilePath(dir, 4242);
  assert.equal(file, path.join(dir, 'leak-detective-4242.prom'));
  checkTextfileDir(dir, file);
  writeTextfile(file, 'a 1\n');
  writeTextfile(file, 'a 2\n');
  assert.equal(readFileSync(file, 'utf8'), 'a 2\n');
  assert.equal(lstatSync(file).mode & 0o777, 0o644);
  assert.deepEqual(readdirSync(dir), ['leak-detective-4242.prom']);
});

test('a link planted at the file is refused before tracking and at every write (the file behind it untouched); a vanished directory is refused', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-tf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const victim = path.join(dir, 'victim');
  writeFileSync(victim, 'keep');
  const file = textfilePath(dir, 1);
  symlinkSync(victim, file);
  assert.throws(() => checkTextfileDir(dir, file), (e) => isLeakError(e) && e.exitCode === 2 && /is a symbolic link/.test(e.message));
  // Planted later (after the check), the write refuses it too: never followed, never replaced.
  assert.throws(() => writeTextfile(file, 'x 1\n'), (e) => isLeakError(e) && e.exitCode === 2 && /refusing .*leak-detective-1\.prom: it is a symbolic link/.test(e.message));
  assert.equal(readFileSync(victim, 'utf8'), 'keep');
  assert.equal(lstatSync(file).isSymbolicLink(), true);
  assert.deepEqual(readdirSync(dir).sort(), ['leak-detective-1.prom', 'victim'], 'no temp file left');
  const gone = path.join(dir, 'gone');
  assert.throws(() => writeTextfile(textfilePath(gone, 1), 'x 1\n'), (e) => isLeakError(e) && e.exitCode === 2 && /gone does not exist/.test(e.message));
});

test('at exit our textfile is removed; a link found under its name instead is left alone (and what it points to)', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-tf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = textfilePath(dir, 7);
  writeTextfile(file, 'a 1\n');
  removeTextfile(file);
  assert.deepEqual(readdirSync(dir), []);
  const victim = path.join(dir, 'victim');
  writeFileSync(victim, 'keep');
  symlinkSync(victim, file);
  removeTextfile(file);
  assert.equal(lstatSync(file).isSymbolicLink(), true);
  assert.equal(readFileSync(victim, 'utf8'), 'keep');
});
