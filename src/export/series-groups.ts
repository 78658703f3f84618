// What the exporter knows, as plain data: tracked processes folded into series with bounded label
// sets (never the PID), their latest memory, a fixed-size window of recent points per series, and the
// last analysis of that window. Pure: ticks and clock readings in, state out; no I/O, no timers.
import { analyzeSeries } from '../analyze/index.js';
import type { Classification, ProcessInfo, Sample } from '../types.js';
import { MiB } from '../units.js';
import { RecentWindow } from './recent-window.js';

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
export const MEMORY_TYPES = ['uss', 'pss', 'rss', 'swap', 'vram'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];

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
  key: string;
  last: Record<MemoryType, number | null>;
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

/** Tracked processes → exported series. Memory per series is fixed; exited series are dropped after a grace period. */
export class SeriesGroups {
  readonly series = new Map<string, ExportedSeries>();
  private readonly windows = new Map<string, RecentWindow>();
  private readonly analysedAt = new Map<string, number>();
  private readonly members = new Map<string, Member>();
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
    return this.members.has(processKey(p));
  }

  /** A process seen for the first time, with the rank variables of its environment. */
  join(info: ProcessInfo, env: RankEnv): void {
    const labels: SeriesLabels = { role: info.role === 'main' ? 'main' : 'child', name: info.name, ...env, job: this.o.job };
    if (labels.role === 'main') this.mainLabels = labels;
    const key = keyOf(labels);
    this.members.set(processKey(info), { key, last: { uss: null, pss: null, rss: null, swap: null, vram: null }, seen: this.ticks });
    const s = this.series.get(key);
    if (s) s.goneAtMs = null;
    else this.series.set(key, { labels, processes: 0, memory: emptyMemory(), rate: null, goneAtMs: null });
    this.rateVersion++;
  }

  /** One tick's readings (joined processes first): update the sums, push one point per series, forget exited processes, drop expired series. */
  tick(nowMs: number, rows: readonly TickRow[]): void {
    this.t0Ms ??= nowMs;
    const tick = ++this.ticks;
    this.tickVersion++;
    for (const { process, sample } of rows) {
      const m = this.members.get(processKey(process));
      if (!m) continue;
      m.seen = tick;
      this.samplesTaken++;
      for (const t of MEMORY_TYPES) if (sample[t] !== null) m.last[t] = sample[t];
    }
    // A process missing from a tick has exited (the tracker reads every member every tick).
    for (const [k, m] of this.members) if (m.seen !== tick) this.members.delete(k);
    for (const s of this.series.values()) {
      s.processes = 0;
      for (const t of MEMORY_TYPES) s.memory[t] = null;
    }
    const tree = emptyMemory();
    const complete: Record<MemoryType, boolean> = { uss: true, pss: true, rss: true, swap: true, vram: true };
    let children = 0;
    for (const m of this.members.values()) {
      const s = this.series.get(m.key)!;
      s.processes++;
      if (s.labels.role === 'child') children++;
      for (const t of MEMORY_TYPES) {
        const v = m.last[t];
        if (v === null) complete[t] = false;
        else {
          s.memory[t] = (s.memory[t] ?? 0) + v;
          tree[t] = (tree[t] ?? 0) + v;
        }
      }
    }
    if ((children > 0 || this.series.has(TREE_KEY)) && this.mainLabels) {
      // The tree row, as in the report: main + descendants, on a type only where every member has it;
      // once shown it stays (the main alone when the children have gone), so the total has no holes.
      for (const t of MEMORY_TYPES) if (!complete[t]) tree[t] = null;
      const had = this.series.get(TREE_KEY);
      if (had && had.labels.name === this.mainLabels.name) {
        had.processes = this.members.size;
        had.memory = tree;
      } else {
        this.series.set(TREE_KEY, { labels: { ...this.mainLabels, role: 'tree' }, processes: this.members.size, memory: tree, rate: null, goneAtMs: null });
        this.rateVersion++;
      }
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
   * Analyse stale windows, the longest-unanalysed first, until `budgetMs` is spent (at least one when
   * any is stale); a series is stale when its last analysis is `refreshMs` old. Returns the ms spent.
   * The analysis is the costly part of the exporter, so the caller paces it with a CPU budget.
   */
  analyse(nowMs = Number.POSITIVE_INFINITY, budgetMs = Number.POSITIVE_INFINITY, refreshMs = 0): number {
    const t0 = performance.now();
    const stale = [...this.series].filter(([key, s]) => s.goneAtMs === null && this.windows.has(key) && nowMs - (this.analysedAt.get(key) ?? -Infinity) >= refreshMs);
    stale.sort((a, b) => (this.analysedAt.get(a[0]) ?? -Infinity) - (this.analysedAt.get(b[0]) ?? -Infinity));
    for (const [key, s] of stale) {
      if (performance.now() - t0 >= budgetMs) break;
      const { t_s, mb, type } = this.windows.get(key)!.read(ANALYSED_POINTS);
      const a = analyzeSeries({ t_s, mb });
      const toBps = (mbPerMin: number | null | undefined) => (mbPerMin === null || mbPerMin === undefined ? null : (mbPerMin * MiB) / 60);
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
    return performance.now() - t0;
  }
}

function emptyMemory(): Record<MemoryType, number | null> {
  return { uss: null, pss: null, rss: null, swap: null, vram: null };
}

/** A process's identity: a reused PID is a new process. */
function processKey(p: ProcessInfo): string {
  return `${p.pid}:${p.start_ticks}`;
}

function keyOf(l: SeriesLabels): string {
  return LABEL_NAMES.map((n) => l[n]).join('\u0000');
}
