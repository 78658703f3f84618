// The sampling loop: every interval, read the target tree, commit one transaction, report the tick.
// Ticks are scheduled on a fixed grid (start + k·interval), so a slow tick never shifts later ones.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcStat } from './proc-stat.js';
import { CLK_TCK, readCmdline, readRssBytes } from './proc-stat.js';
import { readProcessTree } from './process-tree.js';
import { readSmapsRollup } from './smaps-rollup.js';
import { newGovernorState, recordRollupCost, shouldReadRollup, typicalCost, type GovernorState } from './read-governor.js';
import { queryVram } from './nvidia-smi.js';
import type { SessionWriter } from '../store/session-writer.js';
import type { Sample } from '../types.js';
import { formatMb } from '../units.js';

export interface SamplerOptions {
  root: { pid: number; startTicks: number };
  intervalMs: number;
  /** 0 = until the target exits or the signal aborts. */
  durationMs: number;
  children: boolean;
  signal: AbortSignal;
  writer: SessionWriter;
  /** nvidia-smi path, or null where there is no GPU. */
  nvidiaSmi: string | null;
  /** Fraction of the interval the tracker may spend reading smaps_rollup (default 1 %). */
  budgetFraction?: number;
  onTick?: (tick: TickSummary) => void;
  /** Said once per condition: fallbacks, slow reads, processes joining/leaving. */
  onNotice?: (message: string) => void;
}

export interface TickSummary {
  tick: number;
  elapsedMs: number;
  processes: number;
  main: Sample | null;
  /** Sum over the tree of the latest USS (RSS where USS is unreadable), bytes. */
  treeBytes: number;
  mainBytes: number | null;
  costMs: number;
}

export type EndReason = 'duration' | 'target-exited' | 'aborted';

interface Tracked {
  rowId: number;
  stat: ProcStat;
  lastCpuTicks: number;
  lastMs: number;
  gov: GovernorState;
  lastUss: number | null;
  rollupDenied: boolean;
}

/** Run until duration, target exit or abort. Every finished tick is already committed. */
export async function runSampler(o: SamplerOptions): Promise<EndReason> {
  const tracked = new Map<string, Tracked>();
  const startMs = Date.now();
  const budgetMs = o.intervalMs * (o.budgetFraction ?? 0.01);
  const pct = +((o.budgetFraction ?? 0.01) * 100).toPrecision(2);
  const notice = o.onNotice ?? (() => {});
  let vramBroken = false;
  for (let tick = 0; ; tick++) {
    if (o.signal.aborted) return 'aborted';
    const t0 = performance.now();
    const nowMs = Date.now();
    const tree = readProcessTree(o.root.pid, o.root.startTicks, o.children);
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
    let treeBytes = 0;
    let main: Sample | null = null;
    for (const st of tree) {
      const key = `${st.pid}:${st.startTicks}`;
      seen.add(key);
      let p = tracked.get(key);
      if (!p) {
        const role = st.pid === o.root.pid ? 'main' : 'child';
        const cmdline = readCmdline(st.pid) || `[${st.comm}]`;
        const rowId = o.writer.addProcess({ pid: st.pid, ppid: st.ppid, start_ticks: st.startTicks, name: st.comm, cmdline, role }, nowMs);
        p = { rowId, stat: st, lastCpuTicks: st.cpuTicks, lastMs: nowMs, gov: newGovernorState(), lastUss: null, rollupDenied: false };
        tracked.set(key, p);
        if (tick > 0) notice(`child joined: ${st.comm} ${st.pid} (${cmdline.slice(0, 80)})`);
      }
      const sample = readOne(p, st, nowMs, tree.length, budgetMs, pct, notice);
      sample.vram = vram ? (vram.get(st.pid) ?? null) : null;
      rows.push({ processId: p.rowId, sample });
      if (sample.uss !== null) p.lastUss = sample.uss;
      treeBytes += p.lastUss ?? sample.rss ?? 0;
      if (st.pid === o.root.pid) main = sample;
    }
    for (const [key, p] of tracked) {
      if (seen.has(key)) continue;
      o.writer.processExited(p.rowId, nowMs);
      tracked.delete(key); // bounded state: exited processes are forgotten
      notice(`child exited: ${p.stat.comm} ${p.stat.pid}`);
    }
    o.writer.appendTick(rows);
    const costMs = performance.now() - t0;
    o.onTick?.({
      tick, elapsedMs: nowMs - startMs, processes: tree.length, main, treeBytes,
      mainBytes: main ? (tracked.get(`${o.root.pid}:${o.root.startTicks}`)?.lastUss ?? main.rss) : null, costMs,
    });
    const nextMs = startMs + (tick + 1) * o.intervalMs;
    if (o.durationMs > 0 && nextMs - startMs > o.durationMs) return 'duration';
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

function readOne(p: Tracked, st: ProcStat, nowMs: number, n: number, budgetMs: number, pct: number, notice: (m: string) => void): Sample {
  const dtS = (nowMs - p.lastMs) / 1000;
  const cpu = dtS > 0 ? ((st.cpuTicks - p.lastCpuTicks) / CLK_TCK / dtS) * 100 : null;
  p.lastCpuTicks = st.cpuTicks;
  p.lastMs = nowMs;
  const sample: Sample = { t_ms: nowMs, rss: readRssBytes(st.pid), uss: null, pss: null, swap: null, vram: null, cpu: cpu === null ? null : Math.max(0, cpu) };
  if (p.rollupDenied || !shouldReadRollup(p.gov)) return sample;
  const r = readSmapsRollup(st.pid);
  if (r.ok) {
    sample.rss = r.reading.rss;
    sample.uss = r.reading.uss;
    sample.pss = r.reading.pss;
    sample.swap = r.reading.swap;
    if (recordRollupCost(p.gov, r.ms, budgetMs / n)) {
      notice(
        `reading USS/PSS of ${st.comm} ${st.pid} every ${p.gov.every} ticks (smaps_rollup takes ${typicalCost(p.gov).toFixed(1)} ms at ` +
          `${formatMb(r.reading.rss / 1048576)} RSS${n > 1 ? ` with ${n} processes tracked` : ''}) to keep the tracker under ${pct}% of the interval; RSS every tick`,
      );
    }
  } else if (r.reason === 'denied' || r.reason === 'unsupported') {
    p.rollupDenied = true;
    notice(
      `cannot read /proc/${st.pid}/smaps_rollup (${r.reason === 'denied' ? 'permission denied' : 'not supported by this kernel'}): ` +
        `recording RSS only for ${st.comm} ${st.pid}; run as its user or root for USS/PSS`,
    );
  }
  return sample;
}
