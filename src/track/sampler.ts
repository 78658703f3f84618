// The sampling loop: every interval, read the target tree, commit one transaction, report the tick.
// Ticks are scheduled on a fixed grid (start + k·interval), so a slow tick never shifts later ones.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcStat } from './proc-stat.js';
import { CLK_TCK } from './proc-stat.js';
import type { ProcessReader, ProcessSource } from './process-source.js';
import { queryVram } from './nvidia-smi.js';
import type { SessionWriter } from '../store/session-writer.js';
import type { ProcessInfo, Sample } from '../types.js';

export interface SamplerOptions {
  root: { pid: number; startTicks: number };
  intervalMs: number;
  /** 0 = until the target exits or the signal aborts. */
  durationMs: number;
  children: boolean;
  signal: AbortSignal;
  writer: SessionWriter;
  /** Where process facts come from (/proc on Linux; see choose-source.ts). */
  source: ProcessSource;
  /** nvidia-smi path, or null where there is no GPU. */
  nvidiaSmi: string | null;
  /** Fraction of the interval the tracker may spend reading smaps_rollup (default 1 %). */
  budgetFraction?: number;
  onTick?: (tick: TickSummary) => void;
  /** Said once per condition: fallbacks, slow reads, processes joining/leaving. */
  onNotice?: (message: string) => void;
  /** Asked when the duration is reached: true keeps sampling (a profile of the target is under way). */
  keepGoing?: () => boolean;
}

export interface TickSummary {
  tick: number;
  elapsedMs: number;
  processes: number;
  main: Sample | null;
  /**
   * Sum over the tree of each member's latest reading of `treeMetric`, bytes: the metric the report
   * judges the tree on (PSS where read, docs/verdicts.md § The tree row), so that the live line and the
   * final verdict sum the same thing. Members with no reading of it yet are left out (`treeLeftOut`).
   */
  treeBytes: number;
  treeMetric: 'pss' | 'uss' | 'rss';
  treeLeftOut: number;
  /** The main's latest USS (RSS where USS is unreadable), bytes: the main row's metric. */
  mainBytes: number | null;
  mainMetric: 'uss' | 'rss';
  costMs: number;
  /** This tick's committed samples with the process each belongs to (main first when alive). */
  rows: TickRow[];
}

/** One process's sample in a tick, for per-tick consumers such as the Prometheus exporter. */
export interface TickRow {
  process: ProcessInfo;
  sample: Sample;
  /** The process's row in the session's processes table. */
  rowId: number;
}

export type EndReason = 'duration' | 'target-exited' | 'aborted';

interface Tracked {
  rowId: number;
  stat: ProcStat;
  lastCpuTicks: number;
  lastMs: number;
  reader: ProcessReader;
  lastUss: number | null;
  lastPss: number | null;
  lastRss: number | null;
  info: ProcessInfo;
}

/** Run until duration, target exit or abort. Every finished tick is already committed. */
export async function runSampler(o: SamplerOptions): Promise<EndReason> {
  const tracked = new Map<string, Tracked>();
  const startMs = Date.now();
  const budgetMs = o.intervalMs * (o.budgetFraction ?? 0.01);
  const notice = o.onNotice ?? (() => {});
  const ctx = { budgetMs, budgetPct: +((o.budgetFraction ?? 0.01) * 100).toPrecision(2), notice };
  let vramBroken = false;
  const follower = o.source.watchTree(o.root.pid, o.root.startTicks, o.children, o.intervalMs, notice);
  for (let tick = 0; ; tick++) {
    if (o.signal.aborted) return 'aborted';
    const t0 = performance.now();
    const nowMs = Date.now();
    const tree = await follower.read();
    if (tree.length === 0) return 'target-exited';
    let vram: Map<number, number | null> | null = null;
    if (o.nvidiaSmi && !vramBroken) {
      try {
        vram = await queryVram(o.nvidiaSmi);
      } catch (e) {
        vramBroken = true;
        notice(`VRAM not recorded from now on: ${(e as Error).message}`);
      }
    }
    const seen = new Set<string>();
    const rows: { processId: number; sample: Sample }[] = [];
    const tickRows: TickRow[] = [];
    let main: Sample | null = null;
    for (const st of tree) {
      const key = `${st.pid}:${st.startTicks}`;
      seen.add(key);
      let p = tracked.get(key);
      if (!p) {
        const role = st.pid === o.root.pid ? 'main' : 'child';
        const cmdline = (await o.source.cmdline(st.pid)) || `[${st.comm}]`;
        const info: ProcessInfo = { pid: st.pid, ppid: st.ppid, start_ticks: st.startTicks, name: st.comm, cmdline, role };
        const rowId = o.writer.addProcess(info, nowMs);
        p = { rowId, stat: st, lastCpuTicks: st.cpuTicks, lastMs: nowMs, reader: o.source.reader(st, ctx), lastUss: null, lastPss: null, lastRss: null, info };
        tracked.set(key, p);
        if (tick > 0) notice(`child joined: ${st.comm} ${st.pid} (${cmdline.slice(0, 80)})`);
      } else if (st.comm !== p.info.name) {
        // It exec'd since it was first seen: a subprocess.run helper read between fork and exec (a wider
        // window on a busy box) is its parent's python3 for a moment, then sleep or git for good.
        const cmdline = (await o.source.cmdline(st.pid)) || `[${st.comm}]`;
        p.info = { ...p.info, name: st.comm, cmdline };
        o.writer.processRenamed(p.rowId, st.comm, cmdline);
      }
      const sample = readOne(p, st, nowMs, tree.length);
      sample.vram = vram ? (vram.get(st.pid) ?? null) : null;
      rows.push({ processId: p.rowId, sample });
      tickRows.push({ process: p.info, sample, rowId: p.rowId });
      if (sample.uss !== null) p.lastUss = sample.uss;
      if (sample.pss !== null) p.lastPss = sample.pss;
      if (sample.rss !== null) p.lastRss = sample.rss;
      if (st.pid === o.root.pid) main = sample;
    }
    for (const [key, p] of tracked) {
      if (seen.has(key)) continue;
      o.writer.processExited(p.rowId, nowMs);
      tracked.delete(key); // bounded state: exited processes are forgotten
      notice(`child exited: ${p.stat.comm} ${p.stat.pid}`);
    }
    o.writer.appendTick(rows);
    const mainUss = tracked.get(`${o.root.pid}:${o.root.startTicks}`)?.lastUss;
    const sum = treeSum(tree.map((st) => tracked.get(`${st.pid}:${st.startTicks}`)!), o.root.pid);
    const costMs = performance.now() - t0;
    o.onTick?.({
      tick, elapsedMs: nowMs - startMs, processes: tree.length, main, treeBytes: sum.bytes, treeMetric: sum.metric, treeLeftOut: sum.leftOut,
      mainBytes: main ? (mainUss ?? main.rss) : null, mainMetric: mainUss != null ? 'uss' : 'rss', costMs, rows: tickRows,
    });
    const nextMs = startMs + (tick + 1) * o.intervalMs;
    if (o.durationMs > 0 && nextMs - startMs > o.durationMs && !o.keepGoing?.()) return 'duration';
    const wait = nextMs - Date.now();
    if (wait > 0) {
      try {
        await sleep(wait, undefined, { signal: o.signal });
      } catch {
        return 'aborted';
      }
    }
  }
}

/**
 * The tree's sum on the metric the report judges it on: PSS where the main has had PSS read, else USS,
 * else RSS (the report: PSS when the main and every long-lived child had it). A member with no reading
 * of that metric yet (a child that just joined) is left out and counted, as the report leaves out a
 * short-lived child without one; its RSS would add pages the others' PSS already counts.
 */
function treeSum(members: Tracked[], rootPid: number): { bytes: number; metric: 'pss' | 'uss' | 'rss'; leftOut: number } {
  const main = members.find((m) => m.info.pid === rootPid) ?? members[0]!;
  const metric = main.lastPss !== null ? 'pss' : main.lastUss !== null ? 'uss' : 'rss';
  let bytes = 0, leftOut = 0;
  for (const m of members) {
    const v = metric === 'pss' ? m.lastPss : metric === 'uss' ? m.lastUss : m.lastRss;
    if (v === null) leftOut++;
    else bytes += v;
  }
  return { bytes, metric, leftOut };
}

function readOne(p: Tracked, st: ProcStat, nowMs: number, n: number): Sample {
  const dtS = (nowMs - p.lastMs) / 1000;
  const cpu = dtS > 0 ? ((st.cpuTicks - p.lastCpuTicks) / CLK_TCK / dtS) * 100 : null;
  p.lastCpuTicks = st.cpuTicks;
  p.lastMs = nowMs;
  const m = p.reader.read(n); // fields named, not spread: one object per process per tick, not two
  return { t_ms: nowMs, rss: m.rss, uss: m.uss, pss: m.pss, swap: m.swap, vram: null, cpu: cpu === null ? null : Math.max(0, cpu) };
}
