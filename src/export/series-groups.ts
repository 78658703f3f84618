// What the exporter knows, as plain data: tracked processes folded into series with bounded label
// sets (never the PID), their latest memory, a fixed-size window of recent points per series, and the
// last analysis of that window. Pure: ticks and clock readings in, state out; no I/O, no timers.
import { analyzeSeries } from '../analyze/index.js';
import type { Classification, ProcessInfo, Sample } from '../types.js';
import { MiB } from '../units.js';
import { RecentWindow } from './recent-window.js';
import { MEMORY_TYPES, type MemoryType } from './memory-types.js';

/** The label set that names one exported series (DESIGN.md §2 Prometheus: bounded labels only). */
export interface SeriesLabels {
  role: 'main' | 'child' | 'tree';
  name: string;
  rank: string;
  local_rank: string;
  world_size: string;
  job: string;
}

export const LABEL_NAMES = ['role', 'name', 'rank', 'local_rank', 'world_size', 'job'] as const;
export { MEMORY_TYPES, type MemoryType };

/** torchrun's variables, read from the target's environment (empty where absent or not a number). */
export interface RankEnv {
  rank: string;
  local_rank: string;
  world_size: string;
}

/** The last analysis of one series' recent window, in base units. */
export interface SeriesRate {
  type: MemoryType;
  bytesPerSecond: number | null;
  lowerBytesPerSecond: number | null;
  upperBytesPerSecond: number | null;
  classification: Classification;
}

/** One exported series: the sum over the live processes that share its labels. */
export interface ExportedSeries {
  labels: SeriesLabels;
  processes: number;
  memory: Record<MemoryType, number | null>;
  rate: SeriesRate | null;
  goneAtMs: number | null;
}

interface Member {
  /** The process's start time: a PID reused by a new process is a new member. */
  start: number;
  series: ExportedSeries;
  /** Latest reading per MEMORY_TYPES index; NaN where never read. */
  last: Float64Array;
  /** The tick that last included this process; older means it has exited. */
  seen: number;
}

/** One process's reading in a tick (what the tracking core's onTick carries). */
export interface TickRow {
  process: ProcessInfo;
  sample: Sample;
}

export interface SeriesGroupsOptions {
  job: string;
  /** How long a series whose processes have all exited keeps being exported. */
  graceMs?: number;
  /** Points kept per series for the rate (fixed memory however long the tracker runs). */
  windowPoints?: number;
}

const TREE_KEY = '\u0000tree';
/** Points the analysis sees per window: means of consecutive readings (720 at 1 s → 6 s means). */
const ANALYSED_POINTS = 120;
/** Fewer points than this are insufficient data to the analysis (its MIN_SAMPLES): not worth a pass. */
const MIN_POINTS = 10;

/** Tracked processes → exported series. Memory per series is fixed; exited series are dropped after a grace period. */
export class SeriesGroups {
  readonly series = new Map<string, ExportedSeries>();
  private readonly windows = new Map<string, RecentWindow>();
  private readonly analysedAt = new Map<string, number>();
  /** By PID (a number key: no string is built per reading); `start` tells a reused PID apart. */
  private readonly members = new Map<number, Member>();
  /** The tree row's sums, reused every tick. */
  private readonly treeSum = new Float64Array(MEMORY_TYPES.length);
  private ticks = 0;
  private mainLabels: SeriesLabels | null = null;
  private readonly graceMs: number;
  private readonly windowPoints: number;
  private t0Ms: number | null = null;
  /** Readings taken (one per process per tick), for leak_detective_samples_total. */
  samplesTaken = 0;
  /** Bumped by every tick (memory changes). */
  tickVersion = 0;
  /** Bumped when a rate or state is recomputed or a series appears or goes (what the scrape may cache on). */
  rateVersion = 0;

  constructor(private readonly o: SeriesGroupsOptions) {
    this.graceMs = o.graceMs ?? 5 * 60_000;
    this.windowPoints = o.windowPoints ?? 720;
  }

  /** True when the process (pid and start time) is already tracked. */
  has(p: ProcessInfo): boolean {
    return this.members.get(p.pid)?.start === p.start_ticks;
  }

  /** A process seen for the first time, with the rank variables of its environment. */
  join(info: ProcessInfo, env: RankEnv): void {
    const labels: SeriesLabels = { role: info.role === 'main' ? 'main' : 'child', name: info.name, ...env, job: this.o.job };
    if (labels.role === 'main') this.mainLabels = labels;
    const key = keyOf(labels);
    let s = this.series.get(key);
    if (s) s.goneAtMs = null;
    else this.series.set(key, (s = { labels, processes: 0, memory: emptyMemory(), rate: null, goneAtMs: null }));
    // A reused PID replaces the member of the process that had it (that one has exited).
    this.members.set(info.pid, { start: info.start_ticks, series: s, last: new Float64Array(MEMORY_TYPES.length).fill(NaN), seen: this.ticks });
    this.rateVersion++;
  }

  /** One tick's readings (joined processes first): update the sums, push one point per series, forget exited processes, drop expired series. */
  tick(nowMs: number, rows: readonly TickRow[]): void {
    // Runs on the sampling path every tick: no strings, no per-row objects (see bench/README.md §5).
    this.t0Ms ??= nowMs;
    const tick = ++this.ticks;
    this.tickVersion++;
    for (let i = 0; i < rows.length; i++) {
      const { process, sample } = rows[i]!;
      const m = this.members.get(process.pid);
      if (!m || m.start !== process.start_ticks) continue;
      m.seen = tick;
      this.samplesTaken++;
      for (let k = 0; k < MEMORY_TYPES.length; k++) {
        const v = sample[MEMORY_TYPES[k]!];
        if (v !== null) m.last[k] = v;
      }
    }
    // A process missing from a tick has exited (the tracker reads every member every tick).
    for (const [pid, m] of this.members) if (m.seen !== tick) this.members.delete(pid);
    for (const s of this.series.values()) {
      s.processes = 0;
      for (const t of MEMORY_TYPES) s.memory[t] = null;
    }
    const tree = this.treeSum.fill(0);
    let incomplete = 0; // bit k: some member has no reading of MEMORY_TYPES[k]
    let children = 0;
    for (const m of this.members.values()) {
      const s = m.series;
      s.processes++;
      if (s.labels.role === 'child') children++;
      for (let k = 0; k < MEMORY_TYPES.length; k++) {
        const v = m.last[k]!;
        if (Number.isNaN(v)) incomplete |= 1 << k;
        else {
          const t = MEMORY_TYPES[k]!;
          s.memory[t] = (s.memory[t] ?? 0) + v;
          tree[k] += v;
        }
      }
    }
    if ((children > 0 || this.series.has(TREE_KEY)) && this.mainLabels) {
      // The tree row, as in the report: main + descendants, on a type only where every member has it;
      // once shown it stays (the main alone when the children have gone), so the total has no holes.
      let had = this.series.get(TREE_KEY);
      if (!had || had.labels.name !== this.mainLabels.name) {
        this.series.set(TREE_KEY, (had = { labels: { ...this.mainLabels, role: 'tree' }, processes: 0, memory: emptyMemory(), rate: null, goneAtMs: null }));
        this.rateVersion++;
      }
      had.processes = this.members.size;
      for (let k = 0; k < MEMORY_TYPES.length; k++) had.memory[MEMORY_TYPES[k]!] = incomplete & (1 << k) || this.members.size === 0 ? null : tree[k]!;
    }
    for (const [key, s] of this.series) {
      if (s.processes === 0 && key !== TREE_KEY && s.goneAtMs === null) {
        s.goneAtMs = nowMs;
        this.rateVersion++;
      }
      if (s.goneAtMs !== null && nowMs - s.goneAtMs >= this.graceMs) {
        this.rateVersion++;
        this.series.delete(key);
        this.windows.delete(key);
        this.analysedAt.delete(key);
        continue;
      }
      if (s.goneAtMs !== null) continue;
      const v = s.memory.uss ?? s.memory.rss;
      if (v === null) continue;
      let w = this.windows.get(key);
      if (!w) this.windows.set(key, (w = new RecentWindow(this.windowPoints)));
      w.push((nowMs - this.t0Ms) / 1000, v / MiB, s.memory.uss !== null ? 'uss' : 'rss');
    }
  }

  /**
   * Analyse windows: first every series never analysed whose window can give a rate (MIN_POINTS), so
   * a new series' first rate does not wait for the budget, then stale ones (last analysed `refreshMs`
   * ago), the longest-unanalysed first, until `budgetMs` is spent (at least one when any is stale).
   * Returns the ms spent: the analysis is the costly part of the exporter, so the caller paces it with
   * a CPU budget, and a burst of first analyses (a 100-rank job starting) is paid back from it.
   */
  analyse(nowMs = Number.POSITIVE_INFINITY, budgetMs = Number.POSITIVE_INFINITY, refreshMs = 0): number {
    const t0 = performance.now();
    let done = 0;
    let anyStale = false;
    for (const [key, s] of this.series) {
      const w = s.goneAtMs === null ? this.windows.get(key) : undefined;
      if (!w || w.length < MIN_POINTS) continue;
      const at = this.analysedAt.get(key);
      if (at === undefined) {
        this.analyseOne(key, s, w, nowMs);
        done++;
      } else if (nowMs - at >= refreshMs) anyStale = true;
    }
    if (!anyStale) return performance.now() - t0;
    // The stale ones, the longest-unanalysed first, while the budget lasts.
    const stale = [...this.analysedAt].filter(([key, at]) => nowMs - at >= refreshMs && this.series.get(key)?.goneAtMs === null);
    stale.sort((a, b) => a[1] - b[1]);
    for (const [key] of stale) {
      if (done > 0 && performance.now() - t0 >= budgetMs) break;
      this.analyseOne(key, this.series.get(key)!, this.windows.get(key)!, nowMs);
      done++;
    }
    return performance.now() - t0;
  }

  private analyseOne(key: string, s: ExportedSeries, w: RecentWindow, nowMs: number): void {
    const { t_s, mb, type } = w.read(ANALYSED_POINTS);
    const a = analyzeSeries({ t_s, mb });
    s.rate = {
      type,
      bytesPerSecond: toBps(a.rate_mb_per_min),
      lowerBytesPerSecond: toBps(a.rate_ci95_mb_per_min?.[0]),
      upperBytesPerSecond: toBps(a.rate_ci95_mb_per_min?.[1]),
      classification: a.classification,
    };
    this.analysedAt.set(key, Number.isFinite(nowMs) ? nowMs : 0);
    this.rateVersion++;
  }
}

const toBps = (mbPerMin: number | null | undefined) => (mbPerMin === null || mbPerMin === undefined ? null : (mbPerMin * MiB) / 60);

function emptyMemory(): Record<MemoryType, number | null> {
  return { uss: null, pss: null, rss: null, swap: null, vram: null };
}

function keyOf(l: SeriesLabels): string {
  return LABEL_NAMES.map((n) => l[n]).join('\u0000');
}
