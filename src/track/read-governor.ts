// Keeps an expensive periodic read under a budget by doing it every k-th tick. Two reads use it:
// smaps_rollup of a giant process (~1 ms per 100 MB of RSS, the kernel walks the page tables, so a
// 60 GB process would otherwise cost ~0.5 s per tick; budget 1 % of the interval; processes under
// 1 GiB are always read, procfs-source.ts) and the whole-/proc scan for new children (tree-watcher.ts;
// 0.5 %). Costs are the CPU time the tracker itself spends (cpuCostMs): on a box whose cores training
// keeps busy, the wall time of a read is mostly the time the tracker waited for a core, and budgeting
// that throttled a 400 MB process to every 4th tick although its reads cost well under the budget.

export interface GovernorState {
  recent: number[]; // last few read costs, ms
  every: number; // read every `every` ticks
  countdown: number;
  announced: boolean;
}

const WINDOW = 5;

/** Fresh state: read on the first tick, measure, then adapt. */
export const newGovernorState = (): GovernorState => ({ recent: [], every: 1, countdown: 0, announced: false });

/** Is the read due on this tick? */
export function dueNow(g: GovernorState): boolean {
  const read = g.countdown <= 0;
  g.countdown = read ? g.every - 1 : g.countdown - 1;
  return read;
}

/**
 * Record one read's cost and recompute k so that the sum over processes of cost/k stays within
 * `shareMs` (this process's part of the budget). The median of recent reads is used: a single slow
 * read (a cold cache, a preempted tracker) must not throttle a small process.
 * Returns true when k first rises above 1, so the caller can say so once.
 */
export function recordCost(g: GovernorState, ms: number, shareMs: number): boolean {
  g.recent.push(ms);
  if (g.recent.length > WINDOW) g.recent.shift();
  if (g.recent.length < 3) return false;
  const cost = [...g.recent].sort((a, b) => a - b)[g.recent.length >> 1]!;
  const next = Math.max(1, Math.ceil(cost / Math.max(shareMs, 1e-6)));
  // Hysteresis: step down only when clearly cheaper, so k does not flap with noise.
  if (next > g.every || next < g.every / 2) {
    g.every = next;
    g.countdown = next - 1; // the new spacing starts from this read
  }
  if (g.every > 1 && !g.announced) {
    g.announced = true;
    return true;
  }
  return false;
}

/** The median recent cost (ms), for messages. */
export const typicalCost = (g: GovernorState): number => (g.recent.length ? [...g.recent].sort((a, b) => a - b)[g.recent.length >> 1]! : 0);

/** Run fn and return its result with the CPU time (user + system, ms) this process spent in it. */
export function cpuCostMs<T>(fn: () => T): { value: T; ms: number } {
  const c0 = process.cpuUsage();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, ms: (c.user + c.system) / 1000 };
}
