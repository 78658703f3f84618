// Exit 3 for "no permission" as the contract says (not 2): the suite runs as root, so this runs the
// bins as a second uid (setpriv, as the fault tests do) against root's processes and files (#24.4).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { bin } from '../helpers/paths.js';
import { writeTreeSession } from '../helpers/session-db.js';

const asNobody = (args: string[]) => spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', '/usr/bin/env', 'HOME=/tmp', process.execPath, ...args], { encoding: 'utf8', cwd: '/' });

test('leak-profile of a root process as another user: exit 3, one line saying whose it is', () => {
  const r = asNobody([bin('leak-profile'), '--pid', '1']);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stderr, 'leak-profile: no permission to inspect PID 1 (owned by uid 0); run as that user or as root\n');
});

test('leak-report of a root-only DB as another user: exit 3 (no permission), not 2', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-perm-'));
  try {
    chmodSync(dir, 0o755);
    const db = path.join(dir, 'root.db');
    writeTreeSession(db);
    chmodSync(db, 0o600);
    const r = asNobody([bin('leak-report'), '--db', db]);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    assert.match(r.stderr, /^leak-report: .*root\.db.*(permission|EACCES)/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
