// The parts of a heap snapshot beside nodes, edges and strings that the analysis reads, as the parser
// hands them over: closure locations, allocation samples, the header's own fields.
import type { HeapGraph } from './heap-graph.js';

/** The snapshot's own clock: the last allocation sample's time (µs), where allocations were tracked. */
export function snapshotClock(g: HeapGraph): number | undefined {
  const sf = g.sampleFields, s = g.samples;
  if (!sf || !s) return undefined;
  const k = sf.length, f = sf.indexOf('timestamp_us');
  return f >= 0 && s.length >= k ? s[s.length - k + f] : undefined;
}

/**
 * Closures' source lines as (node index, 0-based line) pairs, the allocation-sampling timeline
 * (V8 writes `samples` only when allocations were tracked) and the header without its meta.
 */
export function snapshotExtras(meta: Record<string, unknown>, header: Record<string, unknown>, x: { closureLines?: Uint32Array; samples?: Float64Array }): Pick<HeapGraph, 'closureLines' | 'samples' | 'sampleFields' | 'header'> {
  const sf = Array.isArray(meta.sample_fields) ? (meta.sample_fields as string[]) : null;
  const { meta: _m, ...rest } = header;
  return {
    closureLines: x.closureLines?.length ? x.closureLines : undefined,
    samples: sf && x.samples?.length ? x.samples : undefined,
    sampleFields: sf ?? undefined,
    header: rest,
  };
}
