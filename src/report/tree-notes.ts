// What the tree row says beyond its own series: which children are too short-lived to report one
// by one, and whether private memory grows because shared pages are being copied. Pure.
import type { CopyOnWrite, Metric, ShortLivedSummary } from '../types.js';
import type { ProcessSeries } from '../store/read-session.js';
import { sumTreeSeries } from './tree-series.js';
import { withCarried } from './carry-by-rss.js';
import { MiB } from '../units.js';

/** Fewer samples than this: never charted or gated alone (a few points cannot be judged). */
export const SHORT_LIVED_SAMPLES = 10;
/** A child alive for less than this share of the session is folded too, unless it is itself growing. */
export const SHORT_LIVED_SHARE = 0.25;
/** Growth below this (MB, over the session) is not worth a copy-on-write note. */
const COW_MIN_MB = 16;

/**
 * Short-lived: a child that lived less than a quarter of the session and is not growing on its own (a
 * DataLoader worker of one epoch, a `subprocess.run` helper), or one with fewer than SHORT_LIVED_SAMPLES
 * samples that was not there for most of the session. A growing one keeps its row: a worker that leaks
 * is reported by name. A child present for most of a short session keeps its row too: it is a member of
 * the tree, not a passer-by (a 6-second run at 0.5 s has no child with 10 samples).
 */
export function isShortLived(p: ProcessSeries, growing: boolean, sessionSpanMs: number): boolean {
  if (p.info.role !== 'child') return false;
  const samples = ticksSeen(p);
  const life = p.t_ms.length ? p.t_ms[p.t_ms.length - 1]! - p.t_ms[0]! : 0;
  if (samples < SHORT_LIVED_SAMPLES && life < 0.5 * sessionSpanMs) return true;
  return life < SHORT_LIVED_SHARE * sessionSpanMs && !growing;
}

/** Ticks a process was seen on (any metric): a big worker whose USS is read every k-th tick is not short-lived. */
export function ticksSeen(p: ProcessSeries): number {
  return p.raw ? Math.max(...Object.values(p.raw).map((f) => f.samples)) : p.t_ms.length;
}

/** One summary for the folded children. */
export function summariseShortLived(folded: { p: ProcessSeries; samples: number }[], metric: Metric): ShortLivedSummary {
  const names: Record<string, number> = {};
  let maxSamples = 0;
  let maxLife = 0;
  let maxMb: number | null = null;
  let notInTree = 0;
  for (const { p, samples } of folded) {
    names[p.info.name] = (names[p.info.name] ?? 0) + 1;
    maxSamples = Math.max(maxSamples, samples);
    if (p.t_ms.length) maxLife = Math.max(maxLife, (p.t_ms[p.t_ms.length - 1]! - p.t_ms[0]!) / 1000);
    let read = false;
    for (const v of p[metric]) {
      if (v === null || v === undefined) continue;
      read = true;
      if (maxMb === null || v / MiB > maxMb) maxMb = v / MiB;
    }
    if (!read) notInTree++;
  }
  return {
    count: folded.length,
    names,
    pids: folded.slice(0, 20).map((f) => f.p.info.pid),
    max_samples: maxSamples,
    max_lifetime_s: Math.round(maxLife * 10) / 10,
    max_mb: maxMb === null ? null : Math.round(maxMb * 10) / 10,
    metric,
    not_in_tree: notInTree,
  };
}

/**
 * Copy-on-write: after fork, parent and child share pages; a write (in Python, merely reading an
 * object bumps its refcount) gives the writer a private copy, and once every other sharer has its
 * copy the original becomes private to its owner too. So the summed USS counts each un-shared page
 * twice or more, the summed PSS counts it once (the real new memory), and RSS does not move at all.
 * Said when the USS sum grows clearly more than the PSS sum while RSS lags; who copies and whose
 * pages stop being shared are the members whose USS grew more than their RSS.
 */
export function detectCopyOnWrite(members: ProcessSeries[], t0: number): CopyOnWrite | null {
  // Between a sparse member's readings, USS/PSS carried by RSS (carry-by-rss.ts): a worker read 4 times
  // in its 16 ticks must not be judged on its first and last two readings alone.
  const live = members.filter((p) => p.t_ms.length > 0).map((p) => withCarried(withCarried(p, 'uss'), 'pss'));
  if (!live.some((p) => p.info.role === 'child')) return null;
  const growth = (m: Metric) => edgeGrowth(sumTreeSeries(live, m, t0).mb);
  const [uss, pss, rss] = [growth('uss'), growth('pss'), growth('rss')];
  if (uss === null || pss === null || rss === null) return null;
  const unshared = uss - pss;
  const treeShows = !(uss < COW_MIN_MB || unshared < Math.max(COW_MIN_MB, 0.15 * uss) || rss > 0.5 * uss);
  const copying: CopyOnWrite['copying'] = [];
  const unsharedByOthers: CopyOnWrite['unshared_by_others'] = [];
  for (const p of live) {
    const du = edgeGrowth(readings(p, 'uss'));
    const dr = edgeGrowth(readings(p, 'rss'));
    if (du === null || dr === null || du - dr < COW_MIN_MB / 2) continue;
    const who = { pid: p.info.pid, name: p.info.name, uss_growth_mb: round1(du) };
    (p.info.role === 'child' ? copying : unsharedByOthers).push(who);
  }
  // Workers re-created every epoch free their copies when they exit, so the tree's sums can end
  // where they began; the members still show it while they live: children copying, together, at
  // least COW_MIN_MB more private memory than their RSS grew (DataLoader workers reading a big list).
  const copied = copying.reduce((a, c) => a + c.uss_growth_mb, 0);
  if (!treeShows && !(copying.length > 0 && copied >= COW_MIN_MB)) return null;
  return {
    uss_growth_mb: round1(uss), pss_growth_mb: round1(pss), rss_growth_mb: round1(rss), unshared_mb: round1(unshared),
    copying, unshared_by_others: unsharedByOthers,
  };
}

/** Readings of one metric in MB, in time order. */
function readings(p: ProcessSeries, m: Metric): number[] {
  const out: number[] = [];
  for (const v of p[m]) if (v !== null && v !== undefined) out.push(v / MiB);
  return out;
}

/** Last minus first, each the mean of the outer 10 % (≥ 2 points) so one noisy reading cannot decide. */
function edgeGrowth(mb: number[]): number | null {
  if (mb.length < 4) return null;
  const k = Math.max(2, Math.floor(mb.length / 10));
  let a = 0;
  let b = 0;
  for (let i = 0; i < k; i++) {
    a += mb[i]!;
    b += mb[mb.length - 1 - i]!;
  }
  return (b - a) / k;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
