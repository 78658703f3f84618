// The budget of a profile's growth: the target's USS growth over the window, split into what the
// runtime can name (objects, free space its allocators keep) and the remainder no runtime figure shows
// (native). Pure: it takes plain readings (one per census or snapshot) and returns numbers and words.
import type { Budget, BudgetPart, NodeCapture, PythonBudgetReading } from './types.js';
import { MiB } from '../../units.js';

/** The part that is leak-profile's own doing (Node: what the snapshots between the ends left): never dominant. */
const OWN_PART = 'snapshots';
/** Pages that stopped being shared: named, but not growth the program made (see finish). */
const UNSHARED_PART = 'unshared';

/** Below this USS growth over the window the budget says there is no growth worth splitting. */
export const GROWTH_FLOOR = 2 * MiB;

const PY_WORDS: Record<string, [string, string]> = {
  python_objects: ['Python objects', 'Python objects hold it: see the growing types below'],
  pymalloc_free: ['free in pymalloc', "the interpreter keeps the memory of freed small objects (pymalloc arenas): fragmentation inside Python, not live objects"],
  allocator_free: ['free in the allocator', 'the C allocator keeps freed memory (fragmentation, not live objects): `leak-profile --trim` measures what it gives back; remedies: MALLOC_ARENA_MAX=2, jemalloc (LD_PRELOAD), or calling malloc_trim(0) periodically'],
  unshared: ['pages no longer shared (copy-on-write)', 'pages this process shared with another became its own (copy-on-write in a forked worker, where a census touches every object it counts, or another process letting go of the same pages): not memory the program allocated'],
  native: ['native (not visible to Python)', 'a C extension or library allocates and does not free'],
  native_or_free: ['native or free in the allocator (mallinfo2 unavailable)', 'memory outside Python objects: a C extension or library, or the allocator keeping freed memory (not glibc: its state cannot be read)'],
};

const NODE_WORDS: Record<string, [string, string]> = {
  v8_heap_used: ['V8 heap used', 'JavaScript objects hold it: see the growing types below'],
  v8_heap_free: ['V8 heap free', 'V8 keeps heap pages it does not use (it gives them back under pressure): not live objects'],
  array_buffers: ['ArrayBuffers and Buffers', 'Buffers or typed arrays hold it (outside the V8 heap): see their holders below'],
  external_other: ['external, not ArrayBuffers', 'memory outside the V8 heap that Node or an addon reports to V8 (zlib or crypto contexts, native handles) and keeps'],
  snapshots: ["kept after leak-profile's own snapshots", ''], // never dominant (OWN_PART)
  native: ['native (not visible to V8)', 'native memory no V8 figure shows: a native addon or library allocates and does not free, or the allocator keeps freed memory'],
};

const delta = (first: number, last: number) => last - first;

/** The budget of a Python target's censuses, or null when USS could not be read at both ends. */
export function pythonBudget(readings: readonly PythonBudgetReading[]): Budget | null {
  const ends = usableEnds(readings);
  if (!ends) return null;
  const [a, b] = ends;
  const parts: BudgetPart[] = [part(PY_WORDS, 'python_objects', delta(a.objects_bytes, b.objects_bytes))];
  if (a.pymalloc && b.pymalloc) parts.push(part(PY_WORDS, 'pymalloc_free', delta(a.pymalloc.free_bytes, b.pymalloc.free_bytes)));
  // Pages that were shared (with the parent a worker forked from, or with another process mapping the
  // same libraries) and became this process's own raise its USS by exactly their size without any
  // allocation: in a forked DataLoader worker the census's own walk copies ~40 MB that way, which the
  // remainder would otherwise call native. Measured (RSS - USS before each census), so taken first.
  if (typeof a.shared === 'number' && typeof b.shared === 'number') {
    const unexplained = delta(a.uss!, b.uss!) - parts.reduce((s, p) => s + p.bytes, 0);
    const unshared = Math.min(Math.max(0, a.shared - b.shared), Math.max(0, unexplained));
    if (unshared > 0) parts.push(part(PY_WORDS, 'unshared', unshared));
  }
  const malloc = Boolean(a.malloc && b.malloc);
  if (malloc) {
    // mallinfo counts free chunks whether or not their pages are resident (a trim leaves them in the
    // free lists): never claim more free memory than the growth the other parts leave unexplained.
    const unexplained = delta(a.uss!, b.uss!) - parts.reduce((s, p) => s + p.bytes, 0);
    parts.push(part(PY_WORDS, 'allocator_free', Math.min(delta(a.malloc!.fordblks, b.malloc!.fordblks), Math.max(0, unexplained))));
  }
  const known = parts.reduce((s, p) => s + p.bytes, 0);
  parts.push(part(PY_WORDS, malloc ? 'native' : 'native_or_free', delta(a.uss!, b.uss!) - known));
  return finish('python', a, b, parts, PY_WORDS, readings);
}

/**
 * The budget of a Node target's snapshots, each read just before it (after its GC) and just after it. A
 * heap snapshot allocates in the target and the allocator keeps much of it (tens to hundreds of MB, more
 * for a bigger heap): the window runs from just after the first snapshot (what it left is in the base)
 * to just before the last (what it leaves is not in the window), and what the snapshots between left is
 * its own part. Null when fewer than two captures were read.
 */
export function nodeBudget(caps: readonly NodeCapture[]): Budget | null {
  if (caps.length < 2 || caps.some((c) => typeof c.before.uss !== 'number' || typeof c.after.uss !== 'number')) return null;
  const a = caps[0]!.after, b = caps[caps.length - 1]!.before;
  const parts = [
    part(NODE_WORDS, 'v8_heap_used', delta(a.heap_used, b.heap_used)),
    part(NODE_WORDS, 'v8_heap_free', delta(a.heap_total - a.heap_used, b.heap_total - b.heap_used)),
    part(NODE_WORDS, 'array_buffers', delta(a.array_buffers, b.array_buffers)),
    part(NODE_WORDS, 'external_other', delta(a.external - a.array_buffers, b.external - b.array_buffers)),
  ];
  if (caps.length > 2) parts.push(part(NODE_WORDS, 'snapshots', caps.slice(1, -1).reduce((s, c) => s + (c.after.uss! - c.before.uss!), 0)));
  const known = parts.reduce((s, p) => s + p.bytes, 0);
  parts.push(part(NODE_WORDS, 'native', delta(a.uss!, b.uss!) - known));
  const left = Math.max(0, caps[0]!.after.uss! - caps[0]!.before.uss!);
  const budget = finish('node', a, b, parts, NODE_WORDS, caps.map((c) => c.before));
  budget.first_capture_left = left;
  const native = parts[parts.length - 1]!.bytes;
  if (native <= -GROWTH_FLOOR && left > 0) {
    budget.verdict += ` (native below zero: the growth reused memory the allocator had kept free after leak-profile's first snapshot, which left ${mb(left).slice(1)}; USS grew less than the parts above)`;
  }
  return budget;
}

/** The first and last readings that have a USS, if they are distinct. */
function usableEnds<R extends { uss: number | null; t_s: number }>(rs: readonly R[]): [R, R] | null {
  const ok = rs.filter((r) => typeof r.uss === 'number');
  if (ok.length < 2) return null;
  return [ok[0]!, ok[ok.length - 1]!];
}

function part(words: Record<string, [string, string]>, key: string, bytes: number): BudgetPart {
  return { key, label: words[key]![0], bytes };
}

function finish(runtime: 'python' | 'node', a: { uss: number | null; t_s: number }, b: { uss: number | null; t_s: number }, parts: BudgetPart[], words: Record<string, [string, string]>, all: readonly { uss: number | null; t_s: number }[]): Budget {
  const uss_delta = b.uss! - a.uss!;
  const window_s = b.t_s - a.t_s;
  // What leak-profile's own captures left is told, never the verdict: the target's growth is the rest.
  const own = parts.find((p) => p.key === OWN_PART)?.bytes ?? 0;
  const theirs = parts.filter((p) => p.key !== OWN_PART);
  const top = theirs.reduce((m, p) => (p.bytes > m.bytes ? p : m), theirs[0]!);
  // Pages that stopped being shared raise USS with no allocation (a neighbour running the same
  // interpreter exits, and its pages become this one's): they are named, but only growth the program
  // made decides whether there is growth to split (a freed burst read +6 MB, 4.5 MB of it unshared).
  const unshared = parts.find((p) => p.key === UNSHARED_PART)?.bytes ?? 0;
  const grew = uss_delta - own - unshared >= GROWTH_FLOOR && top.bytes > 0;
  const dominant = grew ? top.key : null;
  const ownWords = own ? ` (${mb(own).replace(/^\+/, '')} of it kept after leak-profile's own snapshots, not the target's)` : '';
  const head = `USS ${mb(uss_delta)} in ${Math.round(window_s)} s${ownWords}: ${parts.map((p) => `${p.label} ${mb(p.bytes)}`).join(', ')}`;
  const setAside = unshared >= GROWTH_FLOOR ? ` once the ${mb(unshared).slice(1)} of pages no longer shared are set aside: ${words[UNSHARED_PART]![1]}` : '';
  let verdict = grew ? `${head}: ${words[top.key]![1]}` : `${head}: no growth worth splitting (under ${GROWTH_FLOOR / MiB} MB${setAside})`;
  const peak = peakBetween(a, b, all);
  if (peak) verdict += `; meanwhile USS rose ${mb(peak.uss! - Math.max(a.uss!, b.uss!)).slice(1)} above both ends (${Math.round(peak.t_s - a.t_s)} s into the window) and fell back: the split is of the net growth, and what came and went was given back`;
  return { runtime, window_s, uss_first: a.uss!, uss_last: b.uss!, uss_delta, parts, dominant, verdict, ...(peak ? { uss_peak: peak.uss!, uss_peak_t_s: peak.t_s - a.t_s } : {}) };
}

/** A reading between the ends whose USS rose above both by more than the floor (growth that was given back), or null. */
function peakBetween(a: { uss: number | null; t_s: number }, b: { uss: number | null; t_s: number }, all: readonly { uss: number | null; t_s: number }[]) {
  const inside = all.filter((r) => typeof r.uss === 'number' && r.t_s > a.t_s && r.t_s < b.t_s);
  const top = inside.reduce<{ uss: number | null; t_s: number } | null>((m, r) => (!m || r.uss! > m.uss! ? r : m), null);
  return top && top.uss! - Math.max(a.uss!, b.uss!) >= GROWTH_FLOOR ? top : null;
}

/** Signed MB with enough digits to tell 0.02 from 0. */
export function mb(bytes: number): string {
  const v = bytes / MiB;
  const digits = Math.abs(v) >= 10 ? 0 : Math.abs(v) >= 1 ? 1 : 2;
  const s = v.toFixed(digits);
  return `${v >= 0 && !s.startsWith('-') ? '+' : ''}${s === '-0.00' ? '0.00' : s} MB`;
}
