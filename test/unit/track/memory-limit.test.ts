// The limit a process runs under, from the kernel's own files: cgroup v2 and v1 layouts as the kernel
// writes them (laid out under a temp root), the tightest ancestor winning, "no limit" in both spellings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { memoryLimitOf } from '../../../src/track/memory-limit.js';

const GiB = 1024 ** 3;

function root(files: Record<string, string>): { proc: string; cgroup: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-limit-'));
  for (const [rel, text] of Object.entries({ 'proc/meminfo': 'MemTotal:       32780000 kB\nMemFree: 1 kB\n', ...files })) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return { proc: path.join(dir, 'proc'), cgroup: path.join(dir, 'cg') };
}

test('no cgroup limit: the machine RAM', () => {
  const r = root({ 'proc/42/cgroup': '0::/user.slice/session-3.scope\n', 'cg/user.slice/memory.max': 'max\n', 'cg/user.slice/session-3.scope/memory.max': 'max\n' });
  assert.deepEqual(memoryLimitOf(42, r), { bytes: 32780000 * 1024, source: 'machine' });
});

test('cgroup v2: the tightest limit on the path, parent included', () => {
  const r = root({
    'proc/42/cgroup': '0::/job/rank0\n',
    'cg/job/memory.max': `${8 * GiB}\n`,
    'cg/job/rank0/memory.max': 'max\n',
  });
  assert.deepEqual(memoryLimitOf(42, r), { bytes: 8 * GiB, source: 'cgroup /job' });
});

test('cgroup v1: memory.limit_in_bytes, the "unlimited" sentinel ignored, other controllers not read', () => {
  const r = root({
    'proc/42/cgroup': '12:pids:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n',
    'cg/memory/memory.limit_in_bytes': '9223372036854771712\n',
    'cg/memory/docker/memory.limit_in_bytes': '9223372036854771712\n',
    'cg/memory/docker/abc/memory.limit_in_bytes': `${2 * GiB}\n`,
    'cg/pids/docker/abc/memory.limit_in_bytes': '1\n', // not a memory hierarchy: never read
  });
  assert.deepEqual(memoryLimitOf(42, r), { bytes: 2 * GiB, source: 'cgroup /docker/abc' });
});

test('a limit above the machine RAM is the machine; an unreadable process gives the machine; nothing readable gives null', () => {
  const big = root({ 'proc/42/cgroup': '0::/a\n', 'cg/a/memory.max': `${64 * GiB}\n` });
  assert.equal(memoryLimitOf(42, big)!.source, 'machine');
  assert.equal(memoryLimitOf(999, big)!.source, 'machine');
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-limit-'));
  assert.equal(memoryLimitOf(42, { proc: dir, cgroup: dir }), null);
});

test('paths are kept inside the hierarchy ("..", namespaced paths that do not resolve)', () => {
  const r = root({ 'proc/42/cgroup': '0::/../../etc\n', 'cg/etc/memory.max': '1\n' });
  // `..` is dropped: /etc inside the hierarchy is the only place looked at, never a path above it.
  assert.deepEqual(memoryLimitOf(42, r), { bytes: 1, source: 'cgroup /etc' });
});

test('this machine, this process: a real limit (cgroup or RAM) that is a positive size', () => {
  const l = memoryLimitOf(process.pid);
  assert.ok(l && l.bytes > 64 * 1024 * 1024, JSON.stringify(l));
});
