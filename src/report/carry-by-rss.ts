// USS/PSS between a giant process's readings, carried by its RSS. The tracker reads smaps_rollup of a
// process over 1 GiB only every k-th tick (its cost grows with the page tables) but RSS every tick
// (statm, ~free). Between two readings a and b the shared part (RSS − USS) is taken to move in a
// straight line — it moves slowly: libraries, pages shared with forked workers — and the private part
// follows RSS: USS(t) = RSS(t) − shared(t). A leak in a 3 GB process read every 5th tick then has a
// reading every tick instead of a fifth of them, with RSS's own precision. Pure.
import type { Metric } from '../types.js';
import type { ProcessSeries } from '../store/read-session.js';

export interface Carried {
  values: (number | null)[];
  /** Ticks whose value was carried by RSS (0 = nothing to carry). */
  carried: number;
  /** Ticks with a real reading of the metric. */
  read: number;
}

/** The metric's values with every gap between two readings filled from RSS, where RSS was read. */
export function carryByRss(p: ProcessSeries, metric: Metric): Carried {
  const v = p[metric];
  const out = v.slice();
  let read = 0;
  let carried = 0;
  if (metric !== 'uss' && metric !== 'pss') return { values: out, carried, read: v.filter((x) => x !== null && x !== undefined).length };
  let a = -1; // index of the last reading with RSS too
  for (let i = 0; i < v.length; i++) {
    if (v[i] === null || v[i] === undefined) continue;
    read++;
    if (p.rss[i] === null || p.rss[i] === undefined) continue;
    const [sa, sb] = a >= 0 ? [p.rss[a]! - v[a]!, p.rss[i]! - v[i]!] : [0, 0];
    if (a >= 0 && i - a > 1 && sharedHeld(sa, sb, p.rss[i]!)) {
      const [ta, tb] = [p.t_ms[a]!, p.t_ms[i]!];
      for (let j = a + 1; j < i; j++) {
        const r = p.rss[j];
        if (r === null || r === undefined) continue;
        const shared = sa + ((sb - sa) * (p.t_ms[j]! - ta)) / (tb - ta);
        out[j] = Math.max(0, r - shared);
        carried++;
      }
    }
    a = i;
  }
  return { values: out, carried, read };
}

/**
 * Whether the shared part held still enough between two readings to be taken as a straight line: a
 * DataLoader main whose workers fork and exit between its readings saw it jump 85 MB (its USS 6 → 91 MB
 * with RSS flat), and the ticks carried across read a flat main as 20.9 MB/min (−385–427). Such a gap is
 * left as it was read.
 */
function sharedHeld(sa: number, sb: number, rss: number): boolean {
  return Math.abs(sb - sa) <= Math.max(SHARED_STEP_MIN, SHARED_STEP_SHARE * rss);
}
const SHARED_STEP_MIN = 8 * 1024 * 1024;
const SHARED_STEP_SHARE = 0.02;

/** The same process with its metric carried by RSS (for the tree sum). */
export function withCarried(p: ProcessSeries, metric: Metric): ProcessSeries {
  const c = carryByRss(p, metric);
  return c.carried === 0 ? p : { ...p, [metric]: c.values };
}
