// The parts of a heap snapshot beside nodes, edges and strings that the analysis reads, as the parser
// hands them over: closure locations, allocation samples, the header's own fields.
import type { HeapGraph } from './heap-graph.js';

/**
 * Closures' source locations as (object_index, 0-based line) pairs, the allocation-sampling timeline
 * (V8 writes `samples` only when allocations were tracked) and the header without its meta.
 */
export function snapshotExtras(meta: Record<string, unknown>, header: Record<string, unknown>, x: { locations?: Uint32Array; samples?: Float64Array }): Pick<HeapGraph, 'locations' | 'locationFields' | 'samples' | 'sampleFields' | 'header'> {
  const lf = Array.isArray(meta.location_fields) ? (meta.location_fields as string[]) : null;
  const sf = Array.isArray(meta.sample_fields) ? (meta.sample_fields as string[]) : null;
  const { meta: _m, ...rest } = header;
  return {
    locations: lf && x.locations?.length ? x.locations : undefined,
    locationFields: lf && x.locations ? ['object_index', 'line'] : undefined,
    samples: sf && x.samples?.length ? x.samples : undefined,
    sampleFields: sf ?? undefined,
    header: rest,
  };
}
