// How much memory a capture may use before it endangers the box or the container: MemAvailable,
// and the cgroup's limit minus its usage where one is set (cgroup v2, then v1).
import { readFileSync } from 'node:fs';

export interface Headroom {
  bytes: number;
  source: string;
}

const readNum = (f: string): number | null => {
  try {
    const t = readFileSync(f, 'utf8').trim();
    return /^\d+$/.test(t) ? Number(t) : null;
  } catch {
    return null;
  }
};

/** The smaller of the host's MemAvailable and the target's cgroup headroom. */
export function memoryHeadroom(pid: number): Headroom {
  let best: Headroom = { bytes: Infinity, source: 'unknown' };
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) best = { bytes: Number(m[1]) * 1024, source: 'MemAvailable' };
  } catch {
    /* not Linux */
  }
  try {
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
    if (line) {
      const dir = `/sys/fs/cgroup${line.slice(3)}`;
      const max = readNum(`${dir}/memory.max`);
      const cur = readNum(`${dir}/memory.current`);
      if (max !== null && cur !== null && max - cur < best.bytes) best = { bytes: max - cur, source: `cgroup ${line.slice(3) || '/'} memory.max` };
    }
  } catch {
    /* no cgroup info */
  }
  return best;
}
