// Runtime-neutral diff of censuses (V8 heap snapshots or CPython censuses): which types grew in
// every interval, ranked by bytes grown, then by count grown.
import type { Census, GrowingType } from '../types.js';

export interface DiffOptions {
  /** Keep at most this many growers. */
  top?: number;
  /** Ignore types whose total growth is below this many bytes and this many objects. */
  minBytes?: number;
  minCount?: number;
}

/**
 * Growth below both of these is the runtime's own churn (JIT code, the profiler's own objects, a
 * dict resized), not an accumulation worth a line: 16 KB and 100 objects over the whole window.
 */
export const NOISE_FLOOR: DiffOptions = { minBytes: 16 * 1024, minCount: 100 };

/**
 * A type "grows" when its byte total (or, for zero-size types, its count) rose in every interval
 * between consecutive censuses. With two censuses that is one interval, so a single rise counts.
 */
export function diffCensuses(censuses: readonly Census[], opts: DiffOptions = {}): GrowingType[] {
  if (censuses.length < 2) return [];
  const minBytes = opts.minBytes ?? 0;
  const minCount = opts.minCount ?? 1;
  const names = new Set<string>();
  for (const c of censuses) for (const k of c.types.keys()) names.add(k);
  const spanMin = (censuses[censuses.length - 1]!.t_s - censuses[0]!.t_s) / 60;
  const out: GrowingType[] = [];
  for (const type of names) {
    const counts = censuses.map((c) => c.types.get(type)?.count ?? 0);
    const bytes = censuses.map((c) => c.types.get(type)?.bytes ?? 0);
    // Every interval must add a real share of the growth: a cache that filled in the first interval
    // and then moved by a few bytes has stopped growing; it is not accumulating.
    const steps = censuses.length - 1;
    const meanBytes = (bytes[steps]! - bytes[0]!) / steps;
    const meanCount = (counts[steps]! - counts[0]!) / steps;
    let everyInterval = true;
    for (let i = 1; i < censuses.length; i++) {
      const db = bytes[i]! - bytes[i - 1]!;
      const dc = counts[i]! - counts[i - 1]!;
      const grewBytes = db > 0 && db >= 0.1 * meanBytes;
      // Count decides for types whose size does not move (same-size objects still add bytes).
      const grewCount = db === 0 && dc > 0 && dc >= 0.1 * meanCount;
      if (!(grewBytes || grewCount)) {
        everyInterval = false;
        break;
      }
    }
    if (!everyInterval) continue;
    const count_delta = counts[counts.length - 1]! - counts[0]!;
    const bytes_delta = bytes[bytes.length - 1]! - bytes[0]!;
    if (bytes_delta < minBytes && count_delta < minCount) continue;
    out.push({
      type,
      counts,
      bytes,
      count_delta,
      bytes_delta,
      bytes_per_min: spanMin > 0 ? bytes_delta / spanMin : null,
      retainer_path: censuses[censuses.length - 1]!.retainers?.get(type) ?? null,
    });
  }
  out.sort((a, b) => b.bytes_delta - a.bytes_delta || b.count_delta - a.count_delta || a.type.localeCompare(b.type));
  return opts.top ? out.slice(0, opts.top) : out;
}

/** Python builtins and V8's generic groups: containers and payloads of other objects. */
const PY_GENERIC = new Set(['bytes', 'bytearray', 'str', 'dict', 'list', 'tuple', 'set', 'frozenset', 'int', 'float', 'bool', 'complex',
  'code', 'function', 'cell', 'method', 'frame', 'type', 'module', 'weakref', 'builtin_function_or_method', 'getset_descriptor',
  'member_descriptor', 'method_descriptor', 'wrapper_descriptor', 'property', 'classmethod', 'staticmethod', 'mappingproxy',
  'memoryview', 'range', 'slice', 'collections.OrderedDict', 'collections.deque', 'collections.defaultdict']);

/**
 * Generic types (a Python `bytes`, a V8 `(array)`) mostly hold the contents of other objects: a
 * leaking TokenizedSample drags its arrays and strings along. Named types are listed first (each
 * group still by bytes grown), so the first line names the class that accumulates.
 */
export function rankNamedTypesFirst(growing: GrowingType[]): GrowingType[] {
  const generic = (t: string) => t.startsWith('(') || t === 'Array' || t === 'Object' || PY_GENERIC.has(t);
  return [...growing.filter((g) => !generic(g.type)), ...growing.filter((g) => generic(g.type))];
}

/**
 * Order by what each grower keeps alive: rows that are not folded into another, named types first,
 * each by retained bytes grown (bytes grown where unknown), and each row's folded internals right
 * after it. A user's class that holds a big typed array comes before the array's own types.
 */
export function rankByRetained(growing: GrowingType[]): GrowingType[] {
  const weight = (g: GrowingType) => g.retained_bytes ?? g.bytes_delta;
  const byWeight = (a: GrowingType, b: GrowingType) => weight(b) - weight(a) || b.bytes_delta - a.bytes_delta || a.type.localeCompare(b.type);
  const types = new Set(growing.map((g) => g.type));
  const folded = (g: GrowingType) => Boolean(g.folded_into && types.has(g.folded_into));
  const internal = (g: GrowingType) => g.type.startsWith('system /'); // V8's own objects (a closure's Context)
  const top = rankNamedTypesFirst(growing.filter((g) => !folded(g)).sort(byWeight));
  const rows = [...top.filter((g) => !internal(g)), ...top.filter(internal)];
  const out: GrowingType[] = [];
  for (const row of rows) out.push(row, ...growing.filter((g) => folded(g) && g.folded_into === row.type).sort(byWeight));
  return out;
}
