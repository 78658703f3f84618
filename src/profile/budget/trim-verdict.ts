// What `leak-profile --trim` measured: USS and the allocator's free bytes before and after
// gc.collect() + malloc_trim(0) in the target, and the sentence that says fragmentation or live memory.
import { MiB } from '../../units.js';

export interface TrimResult {
  uss_before: number;
  uss_after_gc: number;
  uss_after: number;
  /** USS that gc.collect() + malloc_trim(0) gave back. */
  given_back: number;
  /** The allocator's free bytes (mallinfo2 fordblks) before and after (a trim leaves chunks in the free lists: it drops their pages). */
  free_before: number;
  free_after: number;
  fragmentation: boolean;
  pause_s: number;
  verdict: string;
}

/** Given back at least this much, and a tenth of USS, the growth was the allocator keeping freed memory. */
export const FRAGMENTATION_FLOOR = 4 * MiB;

export const REMEDIES = 'remedies: MALLOC_ARENA_MAX=2 in the job\'s environment (fewer glibc arenas), jemalloc (LD_PRELOAD=libjemalloc.so.2), or calling malloc_trim(0) periodically (e.g. every N steps, via ctypes)';

const n = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** The trim result from the target's raw figures, or a one-line reason it is unusable. */
export function trimResult(raw: unknown): TrimResult | string {
  if (!raw || typeof raw !== 'object') return 'the target did not report the trim';
  const r = raw as Record<string, unknown>;
  if (typeof r.error === 'string') return r.error.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
  const mb = (x: Record<string, unknown> | undefined) => (x && n(x.fordblks) ? x.fordblks : null);
  const fb = mb(r.malloc_before as Record<string, unknown>), fa = mb(r.malloc_after as Record<string, unknown>);
  if (!n(r.uss_before) || !n(r.uss_after) || !n(r.uss_after_gc) || fb === null || fa === null) return 'the target reported the trim without the expected figures (USS could not be read inside it?)';
  const given = r.uss_before - r.uss_after;
  const frag = given >= FRAGMENTATION_FLOOR && given >= 0.1 * r.uss_before;
  const byGc = r.uss_before - r.uss_after_gc;
  const span = `(USS ${Math.round(r.uss_before / MiB)} → ${Math.round(r.uss_after / MiB)} MB${byGc >= MiB ? `, ${Math.round(byGc / MiB)} MB of it by gc.collect()` : ''})`;
  const verdict = frag
    ? `fragmentation: malloc_trim gave back ${Math.round(given / MiB)} MB ${span}; what is left is live. The allocator was keeping freed memory: ${REMEDIES}`
    : `malloc_trim gave back ${Math.max(0, Math.round(given / MiB))} MB ${span}: the native memory is live, not fragmentation`;
  return { uss_before: r.uss_before, uss_after_gc: r.uss_after_gc, uss_after: r.uss_after, given_back: given, free_before: fb, free_after: fa, fragmentation: frag, pause_s: n(r.seconds) ? r.seconds : 0, verdict };
}
