// The Linux source: /proc read directly, USS/PSS/swap from smaps_rollup under a cost governor.
import type { ProcStat } from './proc-stat.js';
import { readCmdline, readProcStat, readRssBytes } from './proc-stat.js';
import { isAlive, readProcessTree } from './process-tree.js';
import { TreeWatcher } from './tree-watcher.js';
import { readSmapsRollup } from './smaps-rollup.js';
import { newGovernorState, recordCost, dueNow, typicalCost, cpuCostMs } from './read-governor.js';
import type { MemoryReading, ProcessReader, ProcessSource, ReaderContext } from './process-source.js';
import { formatMb } from '../units.js';

export const procfsSource: ProcessSource = {
  kind: 'procfs',
  stat: async (pid) => {
    const st = readProcStat(pid);
    return isAlive(st) ? st : null;
  },
  tree: async (pid, start, withChildren) => readProcessTree(pid, start, withChildren),
  watchTree: (pid, start, withChildren, intervalMs, notice) => {
    const w = new TreeWatcher(pid, start, withChildren, intervalMs, notice);
    return { read: async () => w.read() };
  },
  cmdline: async (pid) => readCmdline(pid),
  totalRss: async (pids) => pids.reduce((sum, pid) => sum + (readRssBytes(pid) ?? 0), 0),
  reader: (st, ctx) => new ProcfsReader(st, ctx),
  close: () => {},
};

/**
 * Below this RSS a process's USS/PSS is read every tick, whatever the governor says: its read costs
 * ~10 ms of CPU at most (~1 ms per 100 MB), and a verdict on a 400 MB trainer must not rest on every
 * 4th reading. Above it, the governor spaces reads out and the report carries USS between them by the
 * RSS read every tick (report/carry-by-rss.ts).
 */
export const GIANT_BYTES = 1024 * 1048576;

/**
 * …as long as that stays affordable: processes under GIANT_BYTES share a budget ten times the
 * giants' (10 % of the interval in CPU time), so a tree of a hundred 900 MB workers is still read
 * every k-th tick rather than costing the tracker a second of CPU per tick.
 */
const SMALL_BUDGET_TIMES = 10;

/**
 * USS/PSS/swap (and RSS) from smaps_rollup when due, every tick for processes under GIANT_BYTES and
 * every k-th tick for giants; RSS from statm on the other ticks. smaps_rollup carries RSS too, so a
 * tick that reads it reads nothing else: at 100 processes statm was 100 more opens a tick.
 */
class ProcfsReader implements ProcessReader {
  private readonly gov = newGovernorState();
  private rollupDenied = false;

  constructor(
    private readonly st: ProcStat,
    private readonly ctx: ReaderContext,
  ) {}

  read(n: number): MemoryReading {
    const { st, ctx } = this;
    if (this.rollupDenied || !dueNow(this.gov)) return { rss: readRssBytes(st.pid), uss: null, pss: null, swap: null };
    const { value: r, ms: cpuMs } = cpuCostMs(() => readSmapsRollup(st.pid));
    if (r.ok) {
      const { rss, uss, pss, swap } = r.reading;
      const giant = rss >= GIANT_BYTES;
      if (recordCost(this.gov, cpuMs, ((giant ? 1 : SMALL_BUDGET_TIMES) * ctx.budgetMs) / n)) {
        ctx.notice(
          `reading USS/PSS of ${st.comm} ${st.pid} every ${this.gov.every} ticks (smaps_rollup takes ${typicalCost(this.gov).toFixed(1)} ms of CPU at ` +
            `${formatMb(rss / 1048576)} RSS${n > 1 ? ` with ${n} processes tracked` : ''}) to keep the tracker under ${giant ? ctx.budgetPct : +(SMALL_BUDGET_TIMES * ctx.budgetPct).toPrecision(2)}% of the interval; ` +
            `RSS every tick, and the report carries USS between readings by RSS`,
        );
      }
      return { rss, uss, pss, swap };
    }
    if (r.reason === 'denied' || r.reason === 'unsupported') {
      // statm stays readable where smaps_rollup is not (it is 0444): it gives the same RSS figure
      // pidusage would read from /proc/PID/stat, without an async round trip per process.
      this.rollupDenied = true;
      ctx.notice(
        `cannot read /proc/${st.pid}/smaps_rollup (${r.reason === 'denied' ? 'permission denied' : 'not supported by this kernel'}): ` +
          `recording RSS only for ${st.comm} ${st.pid}; run as its user or root for USS/PSS`,
      );
    }
    return { rss: readRssBytes(st.pid), uss: null, pss: null, swap: null };
  }
}
