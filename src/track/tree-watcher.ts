// Follows one process tree tick after tick. Finding *new* children means listing /proc and reading the
// stat of every process not known from the last scan to be outside the tree (process-tree.ts); every
// FULL_SCAN_EVERY-th scan reads every process's stat (~9 µs each here: 2,000 processes cost ~18 ms) as
// a backstop. Scans are timed and, where they would cost more than half a percent of the interval,
// done every k-th tick; between scans only the known members are re-read (that still catches every exit).
import { readProcStat, type ProcStat } from './proc-stat.js';
import { isAlive as alive, scanTree } from './process-tree.js';
import { newGovernorState, recordCost, dueNow, typicalCost, cpuCostMs } from './read-governor.js';

const SCAN_BUDGET = 0.005;
/** A scan that reads every process's stat, whatever the last scan knew: once a minute at 2 s. */
export const FULL_SCAN_EVERY = 30;

export class TreeWatcher {
  private members: ProcStat[] = [];
  private readonly gov = newGovernorState();
  private outside: Set<number> | undefined;
  private scans = 0;
  /** stat files read by the last scan, and PIDs it listed (tests pin that known outsiders are skipped). */
  lastScan = { statsRead: 0, scanned: 0 };

  constructor(
    private readonly rootPid: number,
    private readonly rootStart: number,
    private readonly withChildren: boolean,
    private readonly intervalMs: number,
    private readonly notice: (message: string) => void = () => {},
  ) {}

  /** A full scan happens every this many ticks (1 while scans are cheap). */
  get scanEvery(): number {
    return this.gov.every;
  }

  /** Root first, then its descendants; [] once the root is gone or its PID names another process. */
  read(): ProcStat[] {
    const root = readProcStat(this.rootPid);
    if (!alive(root) || root.startTicks !== this.rootStart) return [];
    if (!this.withChildren) return [root];
    if (dueNow(this.gov)) {
      const known = this.scans++ % FULL_SCAN_EVERY === 0 ? undefined : this.outside;
      const { value: { tree, scanned, statsRead, outside }, ms } = cpuCostMs(() => scanTree(root, known));
      this.outside = outside;
      this.lastScan = { statsRead, scanned };
      if (recordCost(this.gov, ms, this.intervalMs * SCAN_BUDGET)) {
        this.notice(
          `looking for new children every ${this.gov.every} ticks (a scan of all ${scanned} processes on this machine takes ` +
            `${typicalCost(this.gov).toFixed(1)} ms of CPU); known children are read every tick`,
        );
      }
      this.members = tree.slice(1);
      return tree;
    }
    // Between scans: the known members, still alive and still the same processes.
    const next: ProcStat[] = [];
    for (const m of this.members) {
      const st = readProcStat(m.pid);
      if (alive(st) && st.startTicks === m.startTicks) next.push(st);
    }
    this.members = next;
    return [root, ...next];
  }
}
