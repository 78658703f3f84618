// What a series of CPython censuses says beyond the per-type diff: which growth is autograd graphs,
// the device (CUDA) memory beside the host bytes, and the notes the census left about its own sizing.
import type { DeviceSeries, GrowingType } from '../../types.js';

/** The parts of a raw census (scripts/leak_census.py's JSON) read here; all optional in older payloads. */
export interface CensusExtras {
  time: number;
  /** Bytes of saved tensors kept by autograd graphs, per type (already inside that type's bytes). */
  autograd?: Record<string, number>;
  device?: { cuda_tensors?: number; cuda_tensor_bytes?: number; cuda_memory_allocated?: number; cuda_memory_reserved?: number };
  warnings?: string[];
}

/** A grower whose growth is at least this share autograd graph is said to be kept with its graph. */
export const GRAPH_SHARE = 0.5;

/** Add the autograd note to growers whose new bytes are mostly saved tensors of their graphs. */
export function noteAutogradGraphs(growing: GrowingType[], censuses: readonly CensusExtras[]): GrowingType[] {
  if (censuses.length < 2) return growing;
  const first = censuses[0]!, last = censuses[censuses.length - 1]!;
  for (const g of growing) {
    const graph = (last.autograd?.[g.type] ?? 0) - (first.autograd?.[g.type] ?? 0);
    if (g.bytes_delta > 0 && graph >= GRAPH_SHARE * g.bytes_delta) {
      g.note = `kept with its autograd graph (${Math.round((100 * graph) / g.bytes_delta)} % of the growth is saved tensors of grad_fn graphs): store loss.item() or tensor.detach(), not the tensor`;
    }
  }
  return growing;
}

/** Device memory per census, or undefined when the target holds no CUDA tensors and never initialised CUDA. */
export function deviceSeries(censuses: readonly CensusExtras[]): DeviceSeries[] | undefined {
  if (censuses.length === 0 || censuses.every((c) => !c.device)) return undefined;
  const spanMin = (censuses[censuses.length - 1]!.time - censuses[0]!.time) / 60;
  const series = (name: string, pick: (d: NonNullable<CensusExtras['device']>) => number | undefined): DeviceSeries | null => {
    const xs = censuses.map((c) => (c.device ? pick(c.device) : undefined));
    if (xs.some((x) => typeof x !== 'number')) return null;
    const bytes = xs as number[];
    return { name, bytes, bytes_per_min: spanMin > 0 ? (bytes[bytes.length - 1]! - bytes[0]!) / spanMin : null };
  };
  const out = [
    series('CUDA tensors', (d) => d.cuda_tensor_bytes),
    series('torch.cuda.memory_allocated', (d) => d.cuda_memory_allocated),
    series('torch.cuda.memory_reserved', (d) => d.cuda_memory_reserved),
  ].filter((s): s is DeviceSeries => s !== null);
  // A CPU-only target: zero CUDA tensors and no allocator figures is not worth a section.
  if (out.length === 1 && out[0]!.bytes.every((b) => b === 0)) return undefined;
  return out.length ? out : undefined;
}

/** The census's notes about its own sizing (each once), for the report's warnings. */
export function censusWarnings(censuses: readonly CensusExtras[]): string[] {
  return [...new Set(censuses.flatMap((c) => c.warnings ?? []))];
}
