// A Ctrl-C (or a scheduler's SIGTERM) while leak-track still loads its modules: one line and 128+N,
// nothing launched, no DB created; not a silent death by the signal (the shell showed 130 and nothing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bin } from '../helpers/paths.js';
import { collect } from '../helpers/procs.js';
import { waitForFile } from '../helpers/wait.js';

const PAUSE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'pause-load.js');

for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${sig} while leak-track loads its modules: one line, exit ${code}, nothing launched, no DB`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ld-track-early-'));
    const db = path.join(dir, 'run.db');
    const marker = path.join(dir, 'launched');
    try {
      // The bin's loading is held at run.js (module-loading hooks), so the signal lands exactly there.
      const child = spawn(process.execPath, ['--import', PAUSE, bin('leak-track'), '--db', db, '1', '1', '--', 'touch', marker], {
        env: { ...process.env, PAUSE_DIR: dir, PAUSE_MATCH: '/dist/src/cli/run.js' }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      const done = collect(child, 60_000);
      await waitForFile(path.join(dir, 'loading'));
      child.kill(sig);
      writeFileSync(path.join(dir, 'go'), '');
      const r = await done;
      assert.deepEqual([r.code, r.signal], [code, null], `exit ${code}, not death by ${sig}: ${r.stderr}`);
      assert.equal(r.stderr, `leak-track: interrupted by ${sig} before it started; nothing was launched or recorded\n`);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(marker), false, 'the command was not launched');
      assert.equal(existsSync(db), false, 'no DB was created');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
