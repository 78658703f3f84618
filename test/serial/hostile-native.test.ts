// leak-profile --native-sites hands bpftrace (as root) the path of the target's libc, which the target
// chooses: a copy it owns, loaded first (LD_LIBRARY_PATH) or dlopen'ed beside the real one, or a path
// with a blank. Root's bpftrace must never parse a file the target owns (and count nothing of the real
// malloc), and a strange path is a warning, never exit 70. The checks run before bpftrace starts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { collect, runBin } from '../helpers/procs.js';
import { follow, waitForOutput } from '../helpers/wait.js';
import type { ProfileReport } from '../../src/types.js';

const isRoot = process.geteuid?.() === 0;
const ROOT_ONLY = { skip: !isRoot && 'acting as another local user needs root (CI runs these as root)' };
const ALICE = 4733;
const PY = '/usr/bin/python3'; // reachable by any uid (pyenv's lives under /root)
const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';

const work = mkdtempSync(path.join(tmpdir(), 'ld-hostile-native-'));
chmodSync(work, 0o755);
const spawned: ChildProcess[] = [];
after(() => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Alice's own copy of libc in a directory of hers named `dir`. */
function alicesLibc(dir: string): string {
  const d = path.join(work, dir);
  mkdirSync(d);
  const f = path.join(d, 'libc.so.6');
  copyFileSync(LIBC, f);
  chownSync(d, ALICE, ALICE);
  chownSync(f, ALICE, ALICE);
  return f;
}

/** A Python target of Alice's, keeping 100 KB every 50 ms, with `env` and, dlopen'ed first, `preload` if given. */
async function startTarget(env: string[], preload: string | null): Promise<ChildProcess> {
  const code = [
    'import ctypes, time',
    preload ? `ctypes.CDLL(${JSON.stringify(preload)})` : '',
    'keep = []',
    "print('ready', flush=True)",
    'while True:',
    '    keep.append(bytearray(100000)); time.sleep(0.05)',
  ].join('\n');
  const c = spawn('setpriv', [`--reuid=${ALICE}`, `--regid=${ALICE}`, '--clear-groups', 'env', ...env, PY, '-c', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(c);
  await waitForOutput(follow(c.stdout!), /ready/);
  return c;
}

const profile = (pid: number) => runBin('leak-profile', ['--pid', String(pid), '--snapshots', '2', '--interval', '1', '--native-sites', '--json'], { timeoutMs: 180_000 });

test("a target whose only libc is its own copy (LD_LIBRARY_PATH): no bpftrace on Alice's file, one warning naming why", ROOT_ONLY, async () => {
  const lib = alicesLibc('own');
  const t = await startTarget([`LD_LIBRARY_PATH=${path.dirname(lib)}`], null);
  const r = await profile(t.pid!);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /native allocations followed with bpftrace/, 'bpftrace was not started');
  const rep = JSON.parse(r.stdout) as ProfileReport;
  assert.equal(rep.native_sites, undefined);
  assert.ok(rep.warnings?.some((w) => w.includes(`--native-sites: PID ${t.pid}'s libc is not one root's bpftrace may open: ${lib} belongs to uid ${ALICE}, not root`)), JSON.stringify(rep.warnings));
  t.kill('SIGKILL');
  await collect(t, 10_000);
});

test("a copy of libc in a path with a blank dlopen'ed before the real one: exit 0 (was 70), and never Alice's file", ROOT_ONLY, async () => {
  const lib = alicesLibc('a b');
  const t = await startTarget([], lib);
  const r = await profile(t.pid!);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  const rep = JSON.parse(r.stdout) as ProfileReport;
  // The real libc (root's) is the one traced where bpftrace can; else a warning says why not, not Alice's path.
  assert.ok(rep.native_sites || rep.warnings?.some((w) => w.startsWith('--native-sites: ') && !w.includes('a b/libc')), JSON.stringify(rep.warnings));
  t.kill('SIGKILL');
  await collect(t, 10_000);
});
