// `npm test` runs scripts/install-test-deps.sh first (#24.1): with everything there it is a silent
// no-op; as a user who cannot install, with a tool missing, it stops with one line naming what to
// install and how (so npm test stops before the first test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { ROOT } from '../helpers/paths.js';

const SCRIPT = path.join(ROOT, 'scripts', 'install-test-deps.sh');

test('npm test runs the install script before building', () => {
  const pkg = JSON.parse(spawnSync('cat', [path.join(ROOT, 'package.json')], { encoding: 'utf8' }).stdout) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.pretest, 'bash scripts/install-test-deps.sh && npm run build');
});

test('with everything installed the script says nothing and exits 0', () => {
  const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8' });
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, '', '']);
});

test('as a non-root user with smem missing: one line naming it and how to install it, exit 1', () => {
  // A PATH with the tools the script uses and the others the tests need, but no smem.
  const bin = mkdtempSync(path.join(os.tmpdir(), 'ld-deps-'));
  chmodSync(bin, 0o755); // the other uid must be able to look inside
  try {
    for (const tool of ['dirname', 'id', 'ls', 'head', 'gdb', 'prometheus', 'promtool', 'chromium', 'victoria-metrics', 'bpftrace', 'cc']) {
      const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      assert.ok(found, `${tool} is on this machine`);
      symlinkSync(found, path.join(bin, tool));
    }
    const r = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', '/usr/bin/env', '-i', `PATH=${bin}`, '/bin/bash', SCRIPT], { encoding: 'utf8', cwd: '/' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'install-test-deps: missing smem; install them as root (sudo apt-get install smem, or sudo bash scripts/install-test-deps.sh), then run npm test again\n');
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
