// Bad input to leak-track, leak-check and leak-report, table-driven against the built bins: each gives
// the documented exit code and exactly one stderr line naming the value, never an internal error or a
// stack, and input that is checked before the work leaves stdout empty.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin } from '../helpers/procs.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-bad-'));
const good = path.join(dir, 'good.db');
const notes = path.join(dir, 'notes.db');
const aDir = path.join(dir, 'a-directory');
const me = String(process.pid);

before(async () => {
  mkdirSync(aDir);
  writeFileSync(notes, 'not a database\n'.repeat(100));
  const r = await runBin('leak-track', [me, '1s', '0.2', '--db', good, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
});

// [bin, args, exit code, the one stderr line, stdout must be empty]
const CASES: [string, string[], number, RegExp][] = [
  ['leak-track', [me, '--max-rate', '50GB', '--db', path.join(dir, 't1.db')], 2, /^leak-track: --max-rate needs a time unit after the size, e\.g\. 50GB\/min or 50GB\/h, got `50GB`$/],
  ['leak-track', [me, '--interval', '25d', '--db', path.join(dir, 't2.db')], 2, /^leak-track: --interval must be at most 1h .*got `25d`$/],
  ['leak-track', [me, '10', '2h', '--db', path.join(dir, 't2.db')], 2, /^leak-track: --interval must be at most 1h .*got `2h`$/],
  ['leak-track', [me, '--match', 'python', '--db', path.join(dir, 't3.db')], 2, new RegExp(`^leak-track: two targets: \`${me}\` \\(a PID\\) and --match python; give one`)],
  ['leak-track', [me, '--find-training', '--db', path.join(dir, 't3.db')], 2, new RegExp(`^leak-track: two targets: \`${me}\` \\(a PID\\) and --find-training`)],
  ['leak-track', [me, '--db', aDir], 2, /^leak-track: database .*a-directory: .*a-directory is a directory; give a file path$/],
  ['leak-track', [me, '--db', '/proc/self/status'], 2, /^leak-track: database \/proc\/self\/status: .*pseudo-filesystem/],
  ['leak-track', [me, '--db', path.join(dir, 'missing-dir', 'x.db')], 2, /^leak-track: database .*missing-dir\/x\.db: directory .*missing-dir does not exist \(ENOENT\); create it or pick another path$/],
  ['leak-track', [me, '--db', notes], 2, /^leak-track: .*notes\.db.* not a (leak-track|SQLite) database/],
  ['leak-track', ['999999999', '--db', path.join(dir, 't4.db')], 3, /^leak-track: no process with PID 999999999$/],
  ['leak-track', [me, '0.5', '0', '--db', path.join(dir, 't5.db')], 2, /^leak-track: --interval must be greater than zero, got `0`$/],
  ['leak-track', [me, '0.5', '0.04', '--db', path.join(dir, 't5.db')], 2, /^leak-track: --interval must be at least 50ms, got `0.04`$/],
  ['leak-track', [me, '0.5', '--interval', '20ms', '--db', path.join(dir, 't5.db')], 2, /^leak-track: --interval must be at least 50ms, got `20ms`$/],
  ['leak-check', ['--db', good, '--max-rate', '50GB'], 2, /^leak-check: --max-rate needs a time unit after the size/],
  ['leak-check', ['--db', good], 2, /^leak-check: --max-rate is required/],
  ['leak-check', ['--db', good, '--max-rate', '50', '--junit', path.join(dir, 'no-such-dir', 'r.xml')], 2, /^leak-check: --junit: directory .*no-such-dir does not exist \(ENOENT\); create it or pick another path$/],
  ['leak-check', ['--db', good, '--max-rate', '50', '--junit', aDir], 2, /^leak-check: --junit: .*a-directory is a directory; give a file path$/],
  ['leak-check', ['--db', good, '--max-rate', '50', '--junit', `${aDir}/`], 2, /^leak-check: --junit: .*a-directory\/ names a directory; give a file path$/],
  ['leak-check', ['--db', good, '--max-rate', '50', '--junit', '/proc/self/x.xml'], 2, /^leak-check: --junit: \/proc\/self\/x\.xml.* is on a kernel pseudo-filesystem/],
  ['leak-check', ['--db', good, '--max-rate', '50', '--junit', '/proc/sys/kernel/hostname'], 2, /pseudo-filesystem/],
  ['leak-check', ['--db', good, '--max-rate', '50', '--session', 'all'], 2, /^leak-check: leak-check checks one session/],
  ['leak-report', ['--db', path.join(dir, 'nothing.db')], 3, /^leak-report: no database at .*nothing\.db; record one with leak-track or pass --db FILE$/],
  ['leak-report', ['--db', aDir], 2, /^leak-report: refusing .*a-directory: not a regular file; pass --db FILE$/],
  ['leak-report', ['--db', notes], 2, /^leak-report: .*notes\.db.*not a (leak-track|SQLite) database/],
  ['leak-report', ['--db', good, '--session', 'newest'], 2, /^leak-report: --session must be a session id, latest or all, got `newest`$/],
  ['leak-report', ['--db', good, '--session', '42'], 3, /^leak-report: no session 42 in this database \(sessions: 1\)$/],
  ['leak-report', ['--db', good, '--metric', 'heap'], 2, /^leak-report: --metric must be one of/],
  // --list alone said "no target: give a PID, ..."; it is --list that lacks its companion.
  ['leak-track', ['--list'], 2, /^leak-track: --list works with --find-training or --match: leak-track --find-training --list$/],
];

test('bad input: the documented exit code, one stderr line naming the value, nothing on stdout, no internal error', async () => {
  const failures: string[] = [];
  for (const [binName, args, code, re] of CASES) {
    const r = await runBin(binName, args, { cwd: dir });
    const what = `${binName} ${args.join(' ')} → exit ${r.code}, stderr ${JSON.stringify(r.stderr)}, stdout ${JSON.stringify(r.stdout.slice(0, 200))}`;
    const lines = r.stderr.trim().split('\n');
    if (r.code !== code) failures.push(`expected exit ${code}: ${what}`);
    else if (lines.length !== 1) failures.push(`expected one stderr line: ${what}`);
    else if (!re.test(lines[0]!)) failures.push(`stderr does not match ${re}: ${what}`);
    else if (/internal error|this is a bug|\n\s+at /.test(r.stderr)) failures.push(`internal error: ${what}`);
    else if (r.stdout !== '') failures.push(`stdout must stay empty when input is refused up front: ${what}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('a valid --junit is written (and a check still runs) after all that', async () => {
  const junit = path.join(dir, 'ok.xml');
  const r = await runBin('leak-check', ['--db', good, '--max-rate', '50', '--junit', junit]);
  assert.equal(r.code, 0, r.stderr);
  const { readFileSync, statSync } = await import('node:fs');
  assert.match(readFileSync(junit, 'utf8'), /^<\?xml[\s\S]*<testsuite /);
  assert.equal(statSync(junit).mode & 0o777, 0o644);
});

test('a target that is not there leaves no ./leak-track.db behind, so leak-report then says "no database" (#23.2)', async () => {
  const fresh = mkdtempSync(path.join(tmpdir(), 'ld-nodb-'));
  for (const args of [['999999999'], ['--match', 'no-such-process-zq7x'], ['--', path.join(fresh, 'no-such-command')]]) {
    const r = await runBin('leak-track', args, { cwd: fresh });
    assert.equal(r.code, 3, `leak-track ${args.join(' ')}: ${r.stderr}`);
    assert.deepEqual(readdirSync(fresh), [], `leak-track ${args.join(' ')} left files in its directory`);
  }
  const rep = await runBin('leak-report', [], { cwd: fresh });
  assert.equal(rep.code, 3);
  assert.equal(rep.stderr, 'leak-report: no database at leak-track.db; record one with leak-track or pass --db FILE\n');
});
