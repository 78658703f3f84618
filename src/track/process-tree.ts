// The target's process tree from /proc (one stat read per process; no `ps` per tick).
import { listPids, readProcStat, type ProcStat } from './proc-stat.js';

export const isAlive = (st: ProcStat | null): st is ProcStat => st !== null && st.state !== 'Z' && st.state !== 'X';

/**
 * Root plus all its descendants (children of children included), root first.
 * Returns [] if the root is gone or its PID now belongs to another process.
 */
export function readProcessTree(rootPid: number, rootStartTicks: number, withChildren: boolean): ProcStat[] {
  const root = readProcStat(rootPid);
  if (!isAlive(root) || root.startTicks !== rootStartTicks) return [];
  return withChildren ? scanTree(root).tree : [root];
}

/** One scan of every process on the machine: the root's descendants, and how many processes were read. */
export function scanTree(root: ProcStat): { tree: ProcStat[]; scanned: number } {
  const byParent = new Map<number, ProcStat[]>();
  const pids = listPids();
  for (const pid of pids) {
    if (pid === root.pid) continue;
    const st = readProcStat(pid);
    if (!isAlive(st)) continue;
    // A child cannot predate its parent: this drops processes that merely inherited a reused PPID.
    if (st.startTicks < root.startTicks) continue;
    const list = byParent.get(st.ppid);
    if (list) list.push(st);
    else byParent.set(st.ppid, [st]);
  }
  const tree: ProcStat[] = [root];
  for (let i = 0; i < tree.length; i++) {
    const kids = byParent.get(tree[i]!.pid);
    if (kids) tree.push(...kids);
  }
  return { tree, scanned: pids.length };
}
