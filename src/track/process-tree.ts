// The target's process tree from /proc (one stat read per process; no `ps` per tick).
import { listPids, readProcStat, type ProcStat } from './proc-stat.js';

/**
 * Root plus all its descendants (children of children included), root first.
 * Returns [] if the root is gone or its PID now belongs to another process.
 */
export function readProcessTree(rootPid: number, rootStartTicks: number, withChildren: boolean): ProcStat[] {
  const root = readProcStat(rootPid);
  if (!root || root.startTicks !== rootStartTicks || root.state === 'Z' || root.state === 'X') return [];
  if (!withChildren) return [root];
  const byParent = new Map<number, ProcStat[]>();
  for (const pid of listPids()) {
    if (pid === rootPid) continue;
    const st = readProcStat(pid);
    if (!st || st.state === 'Z' || st.state === 'X') continue;
    // A child cannot predate its parent: this drops processes that merely inherited a reused PPID.
    if (st.startTicks < rootStartTicks) continue;
    const list = byParent.get(st.ppid);
    if (list) list.push(st);
    else byParent.set(st.ppid, [st]);
  }
  const out: ProcStat[] = [root];
  for (let i = 0; i < out.length; i++) {
    const kids = byParent.get(out[i]!.pid);
    if (kids) out.push(...kids);
  }
  return out;
}
