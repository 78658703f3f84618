// Order and spacing of offline snapshots from the snapshots themselves. V8 hands out object ids in
// increasing order for the life of a process, so the snapshot with the higher largest id was taken
// later, whatever order the files were named in. The time between them comes from the caller (a live
// capture measured it), `--interval`, or the snapshots' own allocation-sampling clock; never from
// file times, which a copy, an rsync or an unzip rewrites.
import type { ProfileReport } from '../../types.js';

export interface OrderInput {
  file: string;
  /** Largest V8 object id in the snapshot. */
  maxId: number;
  /** Seconds since the first snapshot, where the caller measured it. */
  t_s?: number;
  /** The snapshot's own clock: microseconds of its last allocation sample, where it has one. */
  ownClock_us?: number;
}

export type Timing = NonNullable<ProfileReport['timing']>;

export interface SnapshotOrder {
  /** Indexes into the inputs, oldest first. */
  order: number[];
  /** Seconds since the first (in `order`); zeros where the spacing is unknown. */
  t_s: number[];
  timing: Timing;
  notes: string[];
}

/** Decide the order (by ids) and the spacing (measured, own clock, --interval, or unknown). */
export function orderSnapshots(inputs: readonly OrderInput[], interval_s?: number): SnapshotOrder {
  const notes: string[] = [];
  const measured = inputs.every((x) => typeof x.t_s === 'number');
  let order = inputs.map((_, i) => i);
  if (!measured) {
    order = [...order].sort((a, b) => inputs[a]!.maxId - inputs[b]!.maxId || a - b);
    if (order.some((x, i) => x !== i)) {
      notes.push(`the snapshots were given out of order; analysed in the order V8's object ids say they were taken: ${order.map((i) => inputs[i]!.file).join(', ')}`);
    }
    for (let k = 1; k < order.length; k++) {
      if (inputs[order[k]!]!.maxId === inputs[order[k - 1]!]!.maxId) {
        notes.push(`${inputs[order[k - 1]!]!.file} and ${inputs[order[k]!]!.file} have the same largest object id: the same moment of one process (a copy?), or two processes`);
      }
    }
  }
  const sorted = order.map((i) => inputs[i]!);
  if (measured) return { order, t_s: sorted.map((x) => x.t_s! - sorted[0]!.t_s!), timing: 'measured', notes };
  if (interval_s !== undefined) return { order, t_s: sorted.map((_, k) => k * interval_s), timing: 'interval', notes };
  const clocks = sorted.map((x) => x.ownClock_us);
  if (clocks.every((c): c is number => typeof c === 'number') && clocks.every((c, k) => k === 0 || c > clocks[k - 1]!)) {
    return { order, t_s: clocks.map((c) => (c - clocks[0]!) / 1e6), timing: 'snapshot', notes };
  }
  notes.push('the time between the snapshots is unknown (heap snapshots carry no clock, and file times change when a file is copied): no rates; give --interval SECONDS, the time between them, for rates');
  return { order, t_s: sorted.map(() => 0), timing: 'unknown', notes };
}
