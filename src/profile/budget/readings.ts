// Turning what a target reported (the census's `budget` field, Node's process.memoryUsage()) into
// budget readings. Everything here came from the target: a field that is not a finite, non-negative
// number is dropped (that part of the budget is then not claimed), never believed.
import type { MallocInfo, NodeBudgetReading, PymallocInfo, PythonBudgetReading } from './types.js';

const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

function pick<K extends string>(o: unknown, keys: readonly K[]): Record<K, number> | null {
  if (!o || typeof o !== 'object') return null;
  const out = {} as Record<K, number>;
  for (const k of keys) {
    const v = (o as Record<string, unknown>)[k];
    if (!num(v)) return null;
    out[k] = v;
  }
  return out;
}

/** One census's reading: its wall time (relative to the first), the USS read before it, its objects' bytes, its `budget`, and RSS - USS read with the USS. */
export function pythonReading(t_s: number, uss: number | null, objectsBytes: number, raw: unknown, shared: number | null = null): PythonBudgetReading {
  const b = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const malloc: MallocInfo | null = pick(b.malloc, ['arena', 'hblkhd', 'uordblks', 'fordblks', 'keepcost'] as const);
  const pymalloc: PymallocInfo | null = pick(b.pymalloc, ['arenas_bytes', 'allocated_bytes', 'free_bytes'] as const);
  return { t_s, uss, shared, objects_bytes: objectsBytes, malloc, pymalloc };
}

/** One snapshot's reading from the JSON text of the target's process.memoryUsage(), or null if unusable. */
export function nodeReading(t_s: number, uss: number | null, memoryUsageJson: unknown): NodeBudgetReading | null {
  if (typeof memoryUsageJson !== 'string' || memoryUsageJson.length > 4096) return null;
  let v: unknown;
  try {
    v = JSON.parse(memoryUsageJson);
  } catch {
    return null;
  }
  const m = pick(v, ['heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const);
  if (!m) return null;
  return { t_s, uss, heap_used: m.heapUsed, heap_total: m.heapTotal, external: m.external, array_buffers: m.arrayBuffers };
}

/** Why a budget could not be composed, for the report's warnings. */
export function missingBudgetNote(pid: number, ussReason: string | null): string {
  return ussReason
    ? `no growth budget: /proc/${pid}/smaps_rollup could not be read (${ussReason}); run leak-profile as the target's user or root`
    : 'no growth budget: the target did not report its memory figures';
}
