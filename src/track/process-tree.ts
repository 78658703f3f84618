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

/** What one scan found: the tree (root first), how many PIDs /proc listed, whose stat was read, and the rest. */
export interface Scan {
  tree: ProcStat[];
  scanned: number;
  statsRead: number;
  /** Listed PIDs not in the tree: the next scan may skip them (see `outside` below). */
  outside: Set<number>;
}

/**
 * One scan of /proc for the root's descendants. With `outside` (the previous scan's), PIDs known then
 * not to descend from the root have their stat not read again: a process cannot become a descendant
 * later (an orphan is re-parented to an ancestor of its parent, and a member's orphans were members
 * already), and a PID is reused only once the kernel's PID counter wraps around pid_max, so a listed
 * PID seen outside the tree last scan is the same process. Only members and new PIDs are read: on a
 * box of 2,000 processes a scan is the listing, not 2,000 stat reads (callers still scan in full now
 * and then, tree-watcher.ts).
 */
export function scanTree(root: ProcStat, outside?: ReadonlySet<number>): Scan {
  const byParent = new Map<number, ProcStat[]>();
  const pids = listPids();
  let statsRead = 0;
  for (const pid of pids) {
    if (pid === root.pid || outside?.has(pid)) continue;
    statsRead++;
    const st = readProcStat(pid);
    if (!isAlive(st)) continue;
    // A child cannot predate its parent: this drops processes that merely inherited a reused PPID.
    if (st.startTicks < root.startTicks) continue;
    const list = byParent.get(st.ppid);
    if (list) list.push(st);
    else byParent.set(st.ppid, [st]);
  }
  const tree: ProcStat[] = [root];
  const inTree = new Set<number>([root.pid]);
  for (let i = 0; i < tree.length; i++) {
    const kids = byParent.get(tree[i]!.pid);
    if (!kids) continue;
    for (const k of kids) {
      tree.push(k);
      inTree.add(k.pid);
    }
  }
  const out = new Set<number>();
  for (const pid of pids) if (!inTree.has(pid)) out.add(pid);
  return { tree, scanned: pids.length, statsRead, outside: out };
}
