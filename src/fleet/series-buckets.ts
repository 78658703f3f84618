// One series' raw samples folded, as they arrive, into bucket means on a grid fixed by the window
// (not by the series or the fleet): the fleet read and a read of that one series alone build the same
// points, whichever way the samples came (a bulk export, windows of range queries, shards), so they
// get the same verdict. A series of at most MAX_POINTS_PER_SERIES samples keeps them as they are
// (decided by its own count: the grid once followed the fleet's density, and a 3-minute series read
// as 2 bucket means in a fleet of day-long ones, but as its 13 samples alone). Counts and extremes
// are kept from the raw samples.
import type { RawFigures } from '../store/read-session.js';

/**
 * Points per series handed to the analysis: 24 h at 15 s is read as 2-minute means. The analysis
 * costs ~9 ms of CPU at 720 points against ~20 at 1,440 and ~26 at 2,000 (bench/README.md §fleet):
 * what lets 10,000 series fit in a minute on two cores.
 */
export const MAX_POINTS_PER_SERIES = 720;

/** The grid a window is read on: bucket width (ms) and origin. */
export interface Grid {
  startMs: number;
  endMs: number;
  /** Null: every point is as the server gave it (query_range: evaluated every step). */
  bucketMs: number | null;
}

/** The grid for a window of raw samples: MAX_POINTS_PER_SERIES buckets across it. */
export function gridFor(startMs: number, endMs: number): Grid {
  return { startMs, endMs, bucketMs: (endMs - startMs) / MAX_POINTS_PER_SERIES };
}

/** A series read so far: bucket means (or raw samples) plus raw figures. */
/** A sample this far outside the window asked for is no answer to it (clocks differ by seconds, not this). */
export const WINDOW_SLACK_MS = 10 * 60_000;

/** What SeriesBuckets.add made of a sample: ADDED, or why the answer holding it is refused. */
export const ADDED = 0, OUTSIDE = 1, BACKWARDS = 2, CONFLICT = 3;
export type SampleFit = typeof ADDED | typeof OUTSIDE | typeof BACKWARDS | typeof CONFLICT;

export class SeriesBuckets {
  readonly t_ms: number[] = [];
  readonly values: number[] = [];
  readonly raw: RawFigures = { samples: 0, min: null, max: null, first: null, last: null };
  private bucket = NaN;
  private sum = 0;
  private count = 0;
  /** The time of the last sample added (epoch ms). */
  lastT = -Infinity;
  private folding = false;

  private readonly lo: number;
  private readonly hi: number;

  constructor(readonly grid: Grid) {
    this.lo = grid.startMs - WINDOW_SLACK_MS;
    this.hi = grid.endMs + WINDOW_SLACK_MS;
  }

  /** Whether the points are bucket means (more samples than MAX_POINTS_PER_SERIES on a bucketed grid). */
  get bucketed(): boolean {
    return this.folding;
  }

  /**
   * Add one sample (epoch ms, value ≥ 0); ADDED (0) or why the caller must refuse the answer. The one
   * sample read twice is that of two adjacent windows' shared edge: the same time and value, skipped.
   * OUTSIDE: a time outside the window asked for, or not a number (a server's milliseconds read as
   * seconds put every sample far outside, and were judged). BACKWARDS: a time before the last one (such
   * samples were skipped without a word: a series sent out of order read as "insufficient data").
   * CONFLICT: the last time again with another value (a series has one value at an instant).
   */
  add(tMs: number, v: number): SampleFit {
    if (!(tMs >= this.lo && tMs <= this.hi)) return OUTSIDE;
    if (tMs <= this.lastT) return tMs < this.lastT ? BACKWARDS : v === this.raw.last ? ADDED : CONFLICT;
    this.lastT = tMs;
    const r = this.raw;
    r.samples++;
    r.first ??= v;
    r.last = v;
    if (r.min === null || v < r.min) r.min = v;
    if (r.max === null || v > r.max) r.max = v;
    if (this.folding) return (this.fold(tMs, v), ADDED);
    this.t_ms.push(tMs);
    this.values.push(v);
    if (this.grid.bucketMs === null || this.t_ms.length <= MAX_POINTS_PER_SERIES) return ADDED;
    // One sample too many to keep: the series is read as bucket means from its first sample on (the
    // samples so far folded in their order: the same sums as folding them as they came).
    this.folding = true;
    const ts = this.t_ms.splice(0), vs = this.values.splice(0);
    for (let i = 0; i < ts.length; i++) this.fold(ts[i]!, vs[i]!);
    return ADDED;
  }

  private fold(tMs: number, v: number): void {
    const g = this.grid;
    const b = Math.min(Math.floor((tMs - g.startMs) / g.bucketMs!), MAX_POINTS_PER_SERIES - 1);
    if (b !== this.bucket) this.flush();
    this.bucket = b;
    this.sum += v;
    this.count++;
  }

  /** Close the last bucket; the series is then complete. */
  finish(): this {
    this.flush();
    return this;
  }

  private flush(): void {
    if (this.count === 0) return;
    this.t_ms.push(this.grid.startMs + (this.bucket + 0.5) * this.grid.bucketMs!);
    this.values.push(this.sum / this.count);
    this.sum = this.count = 0;
  }
}
