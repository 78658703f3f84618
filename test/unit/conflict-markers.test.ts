// No merge-conflict markers in what git tracks: two merges this round committed them into DESIGN.md and
// README.md, where nothing else would ever notice. Reads the tracked text files of the checkout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/paths.js';

const TEXT = /\.(ts|mjs|cjs|js|py|md|json|sh|yml|yaml|html|css|txt|toml)$/;
// Built here so this file does not hold the markers itself. The `=======` line is left out: Markdown
// underlines a heading with it.
const MARKER = new RegExp(`^(${'<'.repeat(7)} |${'>'.repeat(7)} )`, 'm');

/** The tracked files whose text holds a conflict marker at the start of a line. */
export function filesWithMarkers(root: string): string[] {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter((f) => TEXT.test(f));
  return files.filter((f) => {
    try {
      return MARKER.test(readFileSync(path.join(root, f), 'utf8'));
    } catch {
      return false; // listed but not in the work tree (a sparse checkout): nothing to read
    }
  });
}

test('no tracked file holds a merge-conflict marker', () => {
  assert.deepEqual(filesWithMarkers(ROOT), []);
});
