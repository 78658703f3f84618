// The tree row's series: a well-defined sum when members come and go. Pure.
//
//   tick:      t1   t2   t3   t4   t5   t6
//   main:      80   ·    ·    86   ·    ·     (USS/PSS read every 3rd tick: a big process)
//   worker A:  10   11   12   —              (exited after t3)
//   worker B:                 9    10   11   (started at t4)
//   tree:      90   93   96   95   97.?      = main interpolated (82, 84) + the members alive
//
// At each tick, the sum over the members alive at that tick (alive = between a member's first and
// last sample of any kind). A member alive at a tick without a reading of the metric contributes
// the straight line between its neighbouring readings, or its nearest reading before its first /
// after its last one. Carrying the last reading forward instead turns a big main read every k-th
// tick into a staircase whose flat steps and jumps the analysis reads as releases, contradicting
// the main's own verdict; a line between readings keeps the main's trend and adds no drops.
import type { Metric } from '../types.js';
import type { ProcessSeries } from '../store/read-session.js';
import { MiB } from '../units.js';

/** Order in which the tree row's metric is chosen: PSS is the only sum that counts a shared page once. */
const TREE_METRICS: readonly Metric[] = ['pss', 'uss', 'rss'];

const hasReading = (p: ProcessSeries, m: Metric): boolean => p[m].some((v) => v !== null && v !== undefined);

/**
 * The metric of the tree row: the requested one, else PSS where every counted member's PSS was
 * read, else USS, else RSS. `required` are the members whose absence would falsify the total (the
 * main and long-lived children); the others (short-lived children) are left out of the sum when
 * they lack a reading, instead of switching the whole row to RSS.
 */
export function chooseTreeMetric(required: ProcessSeries[], requested?: Metric): Metric {
  if (requested) return requested;
  return TREE_METRICS.find((m) => required.every((p) => hasReading(p, m))) ?? 'rss';
}

/** Sum of the members' readings of `metric` per tick (ms), as defined above. Members lacking it are skipped. */
export function sumTreeSeries(members: ProcessSeries[], metric: Metric, t0: number): { t_s: number[]; mb: number[]; left_out: ProcessSeries[] } {
  const tickSet = new Set<number>();
  for (const p of members) for (const t of p.t_ms) tickSet.add(t);
  const ticks = Float64Array.from(tickSet).sort();
  const totals = new Float64Array(ticks.length);
  const counted = new Uint8Array(ticks.length);
  const left_out: ProcessSeries[] = [];
  for (const p of members) {
    if (p.t_ms.length === 0) continue;
    if (!hasReading(p, metric)) {
      left_out.push(p);
      continue;
    }
    addMember(p, metric, ticks, totals, counted);
  }
  const t_s: number[] = [];
  const mb: number[] = [];
  for (let i = 0; i < ticks.length; i++) {
    if (!counted[i]) continue;
    t_s.push((ticks[i]! - t0) / 1000);
    mb.push(totals[i]! / MiB);
  }
  return { t_s, mb, left_out };
}

/** Add one member's contribution to every tick of its life, interpolating between its readings. */
function addMember(p: ProcessSeries, metric: Metric, ticks: Float64Array, totals: Float64Array, counted: Uint8Array): void {
  const rt: number[] = [];
  const rv: number[] = [];
  const values = p[metric];
  for (let i = 0; i < p.t_ms.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    rt.push(p.t_ms[i]!);
    rv.push(v);
  }
  const born = p.t_ms[0]!;
  const gone = p.t_ms[p.t_ms.length - 1]!;
  let k = 0; // rt[k] is the first reading at or after the tick
  for (let i = lowerBound(ticks, born); i < ticks.length && ticks[i]! <= gone; i++) {
    const t = ticks[i]!;
    while (k < rt.length && rt[k]! < t) k++;
    let v: number;
    if (k < rt.length && rt[k] === t) v = rv[k]!;
    else if (k === 0) v = rv[0]!;
    else if (k === rt.length) v = rv[rt.length - 1]!;
    else {
      const [ta, tb, va, vb] = [rt[k - 1]!, rt[k]!, rv[k - 1]!, rv[k]!];
      v = va + ((vb - va) * (t - ta)) / (tb - ta);
    }
    totals[i] += v;
    counted[i] = 1;
  }
}

function lowerBound(xs: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
