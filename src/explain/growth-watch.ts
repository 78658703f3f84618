// Which tracked process is confidently growing right now, from the samples the tracker already has in
// hand: the same analysis the report runs (the windows of earlier profiles left out), so the process
// --explain profiles is one the closing verdict calls growing. Pure apart from the bounded series it keeps.
import { analyzeSeries, leaveOutWindows, type SeriesWindow } from '../analyze/index.js';
import { DEFAULT_FLOOR } from '../analyze/analyze-series.js';
import { DecimatingSeries } from '../track/decimating-series.js';
import { MiB } from '../units.js';

export interface Growth {
  rate: number;
  ci: [number, number];
}

export interface GrowthRule {
  /** Growth slower than this is never a reason to profile (MB/min); default the analysis's floor. */
  floorMbPerMin?: number;
  /** With --max-rate: profile only what grows confidently faster than the bound. */
  maxRate?: number | null;
  /** Settling time after a window, s (the tracking interval). */
  settleS?: number;
}

/**
 * Confidently growing: classified growing, and the lower bound of the rate's 95 % interval above the
 * floor (or above --max-rate when one is given). Cycling, plateau, stable and undecided series: null.
 */
export function confidentGrowth(t_s: readonly number[], mb: readonly number[], windows: readonly SeriesWindow[], rule: GrowthRule = {}): Growth | null {
  const fit = leaveOutWindows(t_s, mb, windows, rule.settleS ?? 0);
  const a = analyzeSeries(fit, { floorMbPerMin: rule.floorMbPerMin });
  if (a.classification !== 'growing' || a.rate_mb_per_min === null || !a.rate_ci95_mb_per_min) return null;
  const bound = rule.maxRate ?? rule.floorMbPerMin ?? DEFAULT_FLOOR;
  if (!(a.rate_ci95_mb_per_min[0] > bound)) return null;
  return { rate: a.rate_mb_per_min, ci: a.rate_ci95_mb_per_min };
}

/** One tracked process's memory, as the watch keeps it: bounded however long tracking runs. */
export interface Watched {
  key: string;
  pid: number;
  rowId: number | null;
  name: string;
  role: string;
  /** USS as read (every few ticks on a busy box) and RSS (every tick); see series(). */
  uss: DecimatingSeries;
  rss: DecimatingSeries;
  lastSeenMs: number;
  /** When the analysis last ran on it (ms), to bound its cost. */
  checkedMs: number;
  /** Since when every check found it confidently growing (ms), or null. */
  growingSinceMs: number | null;
}

/**
 * The series to judge a process by: USS (what the verdict uses) once it has `min` readings; before that
 * RSS, read every tick, so a leak is caught early even where the tracker reads USS only every few ticks.
 */
export function seriesOf(w: Watched, min: number): { t_s: number[]; mb: number[] } | null {
  const s = w.uss.length >= min ? w.uss : w.rss.length >= min ? w.rss : null;
  return s ? s.snapshot() : null;
}

/**
 * Growth the process makes itself, judged on RSS (read every tick) with USS as the check:
 *  - RSS must be confidently growing. USS also climbs when pages the process shared become its own with
 *    RSS flat: a DataLoader main whose workers copied its pages on write (a census in a worker copies
 *    ~40 MB at once) read "growing 59 MB/min (29–89)" on USS with RSS on a plateau at 228 MB, and was
 *    profiled: nothing of its own grew.
 *  - USS, once read MIN_POINTS times, must not say otherwise: confidently growing (its figures are the
 *    trigger's, as the verdict reads USS), or undecided. USS of a torch job steps by the ~55–110 MB of
 *    libtorch pages each time another process mapping the same library starts or exits: a 75 MB/min leak
 *    tracked by PID read confident on USS for a few seconds of 90 and was never profiled, RSS growing
 *    75.7 (75.7–75.7) throughout. Stable, plateau or cycling on USS: memory shared with others grows.
 */
export function ownGrowth(w: Watched, min: number, windows: readonly SeriesWindow[], rule: GrowthRule = {}): Growth | null {
  if (w.rss.length < min && w.uss.length < min) return null;
  const rss = w.rss.length >= min ? w.rss.snapshot() : null;
  const byRss = rss ? confidentGrowth(rss.t_s, rss.mb, windows, rule) : null;
  if (w.uss.length < min) return byRss;
  const uss = w.uss.snapshot();
  const byUss = confidentGrowth(uss.t_s, uss.mb, windows, rule);
  if (!rss) return byUss; // no RSS series (not read here): USS alone
  if (!byRss) return null;
  if (byUss) return byUss;
  const a = analyzeSeries(leaveOutWindows(uss.t_s, uss.mb, windows, rule.settleS ?? 0), { floorMbPerMin: rule.floorMbPerMin });
  return a.classification === 'insufficient-data' || a.classification === 'growing' ? byRss : null;
}

/** The series of every tracked process, fed tick by tick. */
export class GrowthWatch {
  readonly procs = new Map<string, Watched>();
  constructor(private readonly t0Ms: number) {}

  add(p: { pid: number; start_ticks: number; name: string; role: string }, rowId: number | null, s: { t_ms: number; uss: number | null; rss: number | null }): void {
    const key = `${p.pid}:${p.start_ticks}`;
    let w = this.procs.get(key);
    if (!w) {
      w = { key, pid: p.pid, rowId, name: p.name, role: p.role, uss: new DecimatingSeries(2048), rss: new DecimatingSeries(2048), lastSeenMs: s.t_ms, checkedMs: 0, growingSinceMs: null };
      this.procs.set(key, w);
    }
    w.lastSeenMs = s.t_ms;
    const t = (s.t_ms - this.t0Ms) / 1000;
    if (s.uss !== null) w.uss.push(t, s.uss / MiB);
    if (s.rss !== null) w.rss.push(t, s.rss / MiB);
  }

  /** Forget processes not seen for `ms` (exited children): bounded state. */
  forgetOlderThan(nowMs: number, ms: number): void {
    for (const [k, w] of this.procs) if (nowMs - w.lastSeenMs > ms) this.procs.delete(k);
  }

  /** Time on the watch's axis (s) of an epoch-ms instant. */
  toSeconds(ms: number): number {
    return (ms - this.t0Ms) / 1000;
  }
}
