// Where the tracker's facts about processes come from. On Linux, /proc directly (cheap, and the only
// place USS/PSS/swap exist); elsewhere, or where /proc is not usable, ps-list for the tree and
// pidusage for RSS and CPU time (RSS only, said once). Everything above this file is source-agnostic.
import type { ProcStat } from './proc-stat.js';

/** One process's memory at one tick; null where this source cannot read that figure. */
export interface MemoryReading {
  rss: number | null;
  uss: number | null;
  pss: number | null;
  swap: number | null;
}

/** Reads one tracked process, tick after tick; holds whatever per-process state the source needs. */
export interface ProcessReader {
  /** `processesInTick` lets a cost governor share the tick's budget among the tree. */
  read(processesInTick: number): MemoryReading;
}

export interface ReaderContext {
  /** The tracker's whole budget per tick for expensive reads, ms. */
  budgetMs: number;
  /** The same budget as % of the interval, for messages. */
  budgetPct: number;
  /** Said once per condition. */
  notice: (message: string) => void;
}

export interface TreeFollower {
  /** Root first, then descendants; [] once the root is gone. */
  read(): Promise<ProcStat[]>;
}

export interface ProcessSource {
  readonly kind: 'procfs' | 'portable';
  /** One process's identity, parent and CPU time; null if it is gone (or a zombie). */
  stat(pid: number): Promise<ProcStat | null>;
  /** Root first, then every descendant; [] if the root is gone or its PID now names another process. */
  tree(rootPid: number, rootStartTicks: number, withChildren: boolean): Promise<ProcStat[]>;
  /** The tree the sampler follows tick after tick (a source may keep state between ticks). */
  watchTree(rootPid: number, rootStartTicks: number, withChildren: boolean, intervalMs: number, notice: (m: string) => void): TreeFollower;
  /** Full command line ('' when unreadable). */
  cmdline(pid: number): Promise<string>;
  /** Sum of RSS over the given processes (discovery ranks job trees by this), bytes. */
  totalRss(pids: number[]): Promise<number>;
  reader(st: ProcStat, ctx: ReaderContext): ProcessReader;
  /** Release what the source holds (pidusage's history and its timers). */
  close(): void;
}
