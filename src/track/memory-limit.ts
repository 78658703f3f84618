// The memory a tracked process can have before the kernel kills it: the tightest cgroup limit on its path
// (v2 `memory.max`, v1 `memory.limit_in_bytes`, every ancestor counts) or, without one, the machine's RAM.
// Recorded with the session so a report can say when growing peaks reach it ("the 31 GB limit in ~4h").
// Only kernel files are read (/proc and the cgroup filesystem, which holds no symlinks a user could plant).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface MemoryLimit {
  bytes: number;
  /** Where it comes from: a cgroup limit (with its path) or the machine's MemTotal. */
  source: string;
}

export interface LimitRoots {
  proc: string;
  cgroup: string;
}

const DEFAULT_ROOTS: LimitRoots = { proc: '/proc', cgroup: '/sys/fs/cgroup' };
// cgroup v1 writes "no limit" as the largest page-aligned long (9223372036854771712).
const V1_UNLIMITED = 2 ** 62;

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** MemTotal from /proc/meminfo, bytes. */
export function machineMemory(roots: LimitRoots = DEFAULT_ROOTS): number | null {
  const m = /^MemTotal:\s+(\d+) kB/m.exec(read(path.join(roots.proc, 'meminfo')) ?? '');
  return m ? Number(m[1]) * 1024 : null;
}

/** The smallest limit found on `dir` and its ancestors up to `top` (inclusive). */
function tightest(top: string, rel: string, file: string, parse: (s: string) => number | null): { bytes: number; at: string } | null {
  // The kernel gives an absolute path inside the hierarchy; a namespaced view may not resolve: then nothing.
  const parts = path.posix.normalize(rel).split('/').filter((p) => p && p !== '..');
  let best: { bytes: number; at: string } | null = null;
  for (let k = parts.length; k >= 0; k--) {
    const at = `/${parts.slice(0, k).join('/')}`;
    const raw = read(path.join(top, ...parts.slice(0, k), file));
    const bytes = raw === null ? null : parse(raw.trim());
    if (bytes !== null && (best === null || bytes < best.bytes)) best = { bytes, at };
  }
  return best;
}

/** The limit that applies to `pid`, or null where nothing can be read. */
export function memoryLimitOf(pid: number, roots: LimitRoots = DEFAULT_ROOTS): MemoryLimit | null {
  const machine = machineMemory(roots);
  let cg: { bytes: number; at: string } | null = null;
  for (const line of (read(path.join(roots.proc, String(pid), 'cgroup')) ?? '').split('\n')) {
    const m = /^(\d+):([^:]*):(\/.*)$/.exec(line);
    if (!m) continue;
    const found =
      m[1] === '0' && m[2] === ''
        ? tightest(roots.cgroup, m[3]!, 'memory.max', (s) => (/^\d+$/.test(s) ? Number(s) : null))
        : m[2]!.split(',').includes('memory')
          ? tightest(path.join(roots.cgroup, 'memory'), m[3]!, 'memory.limit_in_bytes', (s) => (/^\d+$/.test(s) && Number(s) < V1_UNLIMITED ? Number(s) : null))
          : null;
    if (found && (cg === null || found.bytes < cg.bytes)) cg = found;
  }
  if (cg && (machine === null || cg.bytes < machine)) return { bytes: cg.bytes, source: `cgroup ${cg.at}` };
  return machine === null ? null : { bytes: machine, source: 'machine' };
}
