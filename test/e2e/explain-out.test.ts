// leak-track --explain --explain-out DIR: the automatic profile's captures are kept in DIR/PID-N/, owned
// by the user who ran leak-track and writable by no one else; a DIR another user could change (a
// symbolic link, a world-writable directory, one another uid owns) is refused with exit 2 and one line
// before anything is launched or tracked — the same rules as leak-profile --out (docs/explain.md).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collect, runBin, startBin } from '../helpers/procs.js';
import { follow, waitForOutput } from '../helpers/wait.js';
import { PROGRAMS } from '../helpers/paths.js';
import type { SessionReport } from '../../src/types.js';

const work = mkdtempSync(path.join(tmpdir(), 'ld-explain-out-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('--explain-out DIR: the profile of a leaking Node target keeps its captures in DIR/PID-1/, owned by the invoking user, not world-writable', async () => {
  const out = path.join(work, 'captures'); // not there yet: leak-track creates it 0700
  const db = path.join(work, 'ok.db');
  // ~300 MB/min kept by listeners (explain-node.test.ts's target), launched by leak-track itself
  const run = startBin('leak-track', ['--db', db, '--duration', '40s', '--interval', '0.5', '--explain', '--explain-interval', '1', '--explain-out', out, '--json',
    '--', process.execPath, '--inspect-port=127.0.0.1:0', path.join(PROGRAMS, 'node-holders.js'), '--shape', 'listener', '--rate', '5', '--floats', '131072', '--lifetime', '600']);
  const err = follow(run.stderr);
  const done = collect(run);
  // The profile's end is what this test is about: Ctrl-C once it is stored (the summary still comes).
  await Promise.race([done, waitForOutput(err, /^leak-track: explain: (profile of .* stored with the session|no profile of )/m, { timeoutMs: 150_000 })]);
  run.kill('SIGINT');
  const r = await done;
  const j = JSON.parse(r.stdout) as SessionReport;
  const e = j.explain?.[0];
  assert.ok(e, r.stderr);
  assert.equal(e.status, 'done', `${e.message} ${r.stderr}`);
  const dir = path.join(out, `${e.pid}-1`);
  const files = readdirSync(dir);
  assert.equal(files.filter((f) => f.endsWith('.heapsnapshot')).length, 3, `three captures in ${dir}: ${files.join(', ')}`);
  const uid = process.getuid!();
  for (const p of [out, dir, ...files.map((f) => path.join(dir, f))]) {
    const st = lstatSync(p);
    assert.equal(st.uid, uid, `${p} is owned by uid ${st.uid}, not the invoking uid ${uid}`);
    assert.equal(st.mode & 0o002, 0, `${p} is world-writable (mode ${(st.mode & 0o7777).toString(8)})`);
    assert.ok(st.isDirectory() || st.isFile(), `${p} is a plain file or directory`);
  }
  // The captures are what the stored profile read: its snapshots name those files.
  for (const sn of e.profile?.snapshots ?? []) assert.ok(sn.file && files.includes(path.basename(sn.file)), JSON.stringify(sn));
});

test('a hostile --explain-out DIR: exit 2 and one line, before the command is launched or a session started', async () => {
  const real = path.join(work, 'real');
  mkdirSync(real, { mode: 0o700 });
  const link = path.join(work, 'link');
  symlinkSync(real, link);
  const open = path.join(work, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  // A world-writable directory another user made (the suite runs as root; uid 65534 as in
  // exit-codes-other-uid.test.ts): /tmp is sticky, so nobody can create it there.
  const theirs = path.join(tmpdir(), `${path.basename(work)}-theirs`);
  const mk = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'mkdir', '-m', '0777', theirs], { encoding: 'utf8' });
  assert.equal(mk.status, 0, mk.stderr);
  try {
    assert.equal(lstatSync(theirs).uid, 65534);
    const cases: [string, string][] = [
      [link, `--explain-out ${link} is a symbolic link; give the real directory (leak-profile never writes through links)`],
      [open, `--explain-out ${open} is writable by every user (mode 777); give a directory only you (or root) can write`],
      [theirs, `--explain-out ${theirs} is owned by uid 65534, another user; give a directory only you (or root) can write`],
    ];
    for (const [k, [dir, line]] of cases.entries()) {
      const db = path.join(work, `bad-${k}.db`);
      const marker = path.join(work, `launched-${k}`);
      const r = await runBin('leak-track', ['--db', db, '--duration', '5s', '--interval', '0.5', '--explain', '--explain-out', dir,
        '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); setTimeout(() => {}, 5000)`], { timeoutMs: 60_000 });
      assert.equal(r.code, 2, `${dir}: ${r.stderr}`);
      assert.equal(r.stderr, `leak-track: ${line}\n`);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(db), false, `${dir}: a DB was created`);
      assert.equal(existsSync(marker), false, `${dir}: the command was launched`);
    }
    assert.deepEqual(readdirSync(real), [], 'nothing written through the link');
    assert.deepEqual(readdirSync(theirs), [], "nothing written into the other user's directory");
  } finally {
    rmSync(theirs, { recursive: true, force: true });
  }
});
