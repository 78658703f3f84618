// A census result is written by the target (its interpreter, its monkeypatches, its user): every field
// is checked for type and size before anything of it is believed. One line names the first field
// that is wrong; nothing of a result that fails is used.
import { LeakError } from '../../errors.js';

/** One holder of a growing type, as the payload reports it (scripts/census/holders.py). */
export interface RawHolder {
  /** As the user's code reads it, with the container described: `stats['batches'] (list, 40 items, 2.5 MB)`. */
  path: string;
  /** Share of the sampled instances this holder keeps (0..1); holders may share instances. */
  share: number;
  /** Bytes the holding container keeps alive (null when it could not be sized in time). */
  bytes: number | null;
}

export interface RawCensus {
  pid: number;
  python: string;
  mode: string;
  time: number;
  pause_s: number;
  total_s: number;
  objects: number;
  bytes: number;
  types: Record<string, [number, number]>;
  biggest_containers: [number, string][];
  /** Per type: the first holder's path (older payloads wrote only this). */
  paths: Record<string, string>;
  /** Per type: up to 3 holders, largest share first. */
  holders: Record<string, RawHolder[]>;
  autograd?: Record<string, number>;
  device?: Record<string, number>;
  warnings?: string[];
  census_rss_kb?: number | null;
  /** The first census only: id, entries, id, entries, … of its containers (scripts/census/grown.py). */
  sizes?: number[];
}

/** Limits far above any real census, far below what could exhaust us. */
const MAX_TYPES = 500_000, MAX_NAME = 1000, MAX_TEXT = 4000, MAX_WARNINGS = 200;

class Bad extends Error {}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const fin = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const count = (x: unknown): x is number => fin(x) && x >= 0 && Number.isInteger(x);
const text = (x: unknown, max: number): x is string => typeof x === 'string' && x.length <= max;

function need(ok: boolean, what: string): void {
  if (!ok) throw new Bad(what);
}

function record<T>(x: unknown, field: string, each: (v: unknown) => v is T, max = MAX_TYPES): Record<string, T> {
  need(isObj(x), `${field} is not an object`);
  const entries = Object.entries(x as Record<string, unknown>);
  need(entries.length <= max, `${field} has ${entries.length} entries`);
  for (const [k, v] of entries) need(k.length <= MAX_NAME && each(v), `${field} has a bad entry for a name of ${k.length} characters`);
  return x as Record<string, T>;
}

const holder = (h: unknown): h is RawHolder => isObj(h) && text(h.path, MAX_TEXT) && fin(h.share) && h.share >= 0 && h.share <= 1 && (h.bytes === null || count(h.bytes));

/** The census result, checked; throws LeakError (exit 3: the target wrote it) naming the first bad field. */
export function checkCensus(v: unknown, pid: number): RawCensus {
  try {
    need(isObj(v), 'the result is not an object');
    const r = v as Record<string, unknown>;
    // (not compared with the PID we know: a target in a container sees its own PID namespace)
    need(count(r.pid), 'pid is not a number');
    need(text(r.python, 64) && text(r.mode, 16), 'python or mode is not a short string');
    for (const f of ['time', 'pause_s', 'total_s']) need(fin(r[f]) && (r[f] as number) >= 0, `${f} is not a time`);
    need(count(r.objects) && count(r.bytes), 'objects or bytes is not a count');
    record(r.types, 'types', (t): t is [number, number] => Array.isArray(t) && t.length === 2 && count(t[0]) && count(t[1]));
    need(Array.isArray(r.biggest_containers) && r.biggest_containers.length <= 100 &&
      r.biggest_containers.every((b) => Array.isArray(b) && b.length === 2 && count(b[0]) && text(b[1], MAX_NAME)), 'biggest_containers is not a list of [count, type]');
    r.paths = r.paths === undefined ? {} : record(r.paths, 'paths', (p): p is string => text(p, MAX_TEXT));
    r.holders = r.holders === undefined ? {} : record(r.holders, 'holders', (hs): hs is RawHolder[] => Array.isArray(hs) && hs.length <= 3 && hs.every(holder));
    if (r.autograd !== undefined) record(r.autograd, 'autograd', (b): b is number => count(b));
    if (r.device !== undefined) record(r.device, 'device', (b): b is number => count(b), 16);
    if (r.warnings !== undefined) need(Array.isArray(r.warnings) && r.warnings.length <= MAX_WARNINGS && r.warnings.every((w) => text(w, MAX_TEXT)), 'warnings is not a short list of strings');
    // 200,000 containers at most (grown.py's SIZES_MAX), as pairs
    need(r.sizes === undefined || (Array.isArray(r.sizes) && r.sizes.length % 2 === 0 && r.sizes.length <= 400_000 && r.sizes.every(count)), 'sizes is not a list of [id, entries] pairs');
    need(r.census_rss_kb === undefined || r.census_rss_kb === null || count(r.census_rss_kb), 'census_rss_kb is not a count');
    return r as unknown as RawCensus;
  } catch (e) {
    if (!(e instanceof Bad)) throw e;
    throw new LeakError('unsupported', `PID ${pid} wrote a census result whose ${e.message}; nothing was used from it (another program may have written the file, or the target's interpreter is not one leak-profile knows)`);
  }
}
