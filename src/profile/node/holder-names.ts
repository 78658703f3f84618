// Holder paths named the way a user reads their code. Walks up the retainer path of one object
// (BFS parents from the root) and names each hop as source code would:
//
//   instance ◄─context:batch─ Context ◄─internal:context─ closure ◄─[i]─ (object elements) ◄─elements─
//   Array ◄─batch─ Object ◄─_events─ EventEmitter ◄─context:loader─ module Context (previous: NativeContext)
//
//   → "loader._events.batch[…] → listener at train.js:12 → batch (PrefetchedBatch)"
//
// A variable of a closure's context is a capture: the path goes on above the closure. A variable of a
// module's (or script's) top-level context, or a property of the global object, is where a user's
// name for the holder starts; the walk stops there. Storage hops (an Array's elements, a Map's table,
// a context's `previous`) are not names; indexes in the middle of a path read `[…]`.
import path from 'node:path';
import { className, isIndexName, type HeapGraph } from './heap-graph.js';
import type { Retainers } from './retainers.js';

/** Per-snapshot lookups the naming needs, built once (closure locations by node). */
export interface HolderNaming {
  g: HeapGraph;
  r: Retainers;
  /** The 0-based source line of a closure node, where V8 wrote one. */
  lineOf: (closure: number) => number | undefined;
}

/** Build the lookups for one parsed snapshot and its retainers. */
export function prepareHolderNaming(g: HeapGraph, r: Retainers): HolderNaming {
  const loc = g.closureLines, k = 2, fo = 0, fl = 1;
  if (!loc) return { g, r, lineOf: () => undefined };
  // V8 writes locations in node order: a binary search over them, no per-closure map (there can be
  // hundreds of thousands of closures).
  const entries = Math.floor(loc.length / k);
  const at = (i: number) => loc[i * k + fo]!;
  let sorted = true;
  for (let i = 1; i < entries && sorted; i++) sorted = at(i - 1) <= at(i);
  const lineOf = (closure: number): number | undefined => {
    const target = closure;
    if (!sorted) {
      for (let i = 0; i < entries; i++) if (at(i) === target) return loc[i * k + fl];
      return undefined;
    }
    let lo = 0, hi = entries - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (at(mid) < target) lo = mid + 1;
      else if (at(mid) > target) hi = mid - 1;
      else return loc[mid * k + fl];
    }
    return undefined;
  };
  return { g, r, lineOf };
}

interface Edge {
  kind: string;
  name: string;
}

function edgeAt(g: HeapGraph, e: number): Edge {
  const kind = g.edgeTypes[g.edgeType[e]!] ?? '';
  const x = g.edgeName[e]!;
  return { kind, name: kind === 'element' || kind === 'hidden' ? String(x) : (g.strings[x] ?? '') };
}

const rawName = (g: HeapGraph, n: number) => g.strings[g.nodeName[n]!] ?? '';
const isContext = (g: HeapGraph, n: number) => rawName(g, n) === 'system / Context';
const isClosure = (g: HeapGraph, n: number) => g.nodeTypes[g.nodeType[n]!] === 'closure';

/** The target of `from`'s first edge with this kind and name, or -1. */
function childBy(h: HolderNaming, from: number, kind: string, name: string): number {
  const { g } = h;
  for (let e = g.firstEdge[from]!; e < g.firstEdge[from + 1]!; e++) {
    const x = edgeAt(g, e);
    if (x.kind === kind && x.name === name) return g.edgeTo[e]!;
  }
  return -1;
}

/** A module's (or a script's) top-level context: its outer context is the native context. */
function isTopLevelContext(h: HolderNaming, ctx: number): boolean {
  const prev = childBy(h, ctx, 'internal', 'previous');
  return prev < 0 || rawName(h.g, prev) !== 'system / Context';
}

function isGlobalObject(g: HeapGraph, n: number): boolean {
  const name = className(g, n);
  return name === 'global' || name === 'Window' || name.startsWith('Window /') || name.startsWith('global /');
}

/** "listener at train.js:12", "onBatch() at train.js:30", or without a location where V8 wrote none. */
function describeClosure(h: HolderNaming, c: number, above: string): string {
  const { g } = h;
  const fn = rawName(g, c);
  const listener = /(^|\.)_events\.[^.]*(\[…\])?$/.test(above);
  const who = fn ? `${fn}()` : listener ? 'listener' : 'function';
  const line = h.lineOf(c);
  if (line === undefined) return who;
  const shared = childBy(h, c, 'internal', 'shared');
  const script = shared >= 0 ? childBy(h, shared, 'internal', 'script_or_debug_info') : -1;
  const file = script >= 0 ? path.basename(rawName(g, script).replace(/^file:\/\//, '')) : '';
  return `${who} at ${file || '?'}:${line + 1}`;
}

/**
 * The holder path of one node, e.g. `processor.tokenizer._cache (Map)` or
 * `loader._events.batch[…] → listener at train.js:12 → batch (PrefetchedBatch)`; null when its
 * path from the root has no named step at all.
 */
export function nameHolder(h: HolderNaming, node: number): string | null {
  const { g, r } = h;
  const segments: string[] = []; // top-down once complete; PENDING marks a closure's label
  const closures: number[] = [];
  let seg: string[] = [];
  const state = { suffix: null as string | null }; // the class of the innermost named holder
  const named = (token: string, of: number): void => {
    state.suffix ??= className(g, of);
    seg.unshift(token);
  };
  let n = node;
  for (let guard = 0; n !== 0 && guard < 10_000; guard++) {
    const e = r.parentEdge[n]!;
    if (e < 0) return null;
    const p = r.parent[n]!;
    // Straight under a synthetic root ("(Stack roots)", "(Global handles)"): the slot is no name.
    if (g.nodeTypes[g.nodeType[p]!] === 'synthetic') break;
    const { kind, name } = edgeAt(g, e);
    if (kind === 'context' && isContext(g, p)) {
      named(name, n);
      if (isTopLevelContext(h, p)) break; // a module-level variable: where the user's name starts
    } else if (kind === 'internal' && name === 'context' && isClosure(g, p) && isContext(g, n)) {
      // A closure's context: what we have named so far is captured by that closure.
      segments.unshift(PENDING, seg.join(''));
      seg = [];
      closures.unshift(p);
    } else if (kind === 'property') {
      if (isGlobalObject(g, p)) {
        named(name, n);
        break;
      }
      if (name !== '__proto__' && name !== 'constructor') named(`.${name}`, n);
    } else if (state.suffix !== null && (kind === 'element' || kind === 'hidden' || (kind === 'internal' && isIndexName(name)))) {
      if (seg[0] !== '[…]') seg.unshift('[…]');
    } // else a storage hop (an Array's elements, a Map's table, a context's previous): not a name
    n = p;
  }
  segments.unshift(seg.join(''));
  // Label each closure now that the path above it is known.
  let c = 0;
  for (let i = 1; i < segments.length; i++) if (segments[i] === PENDING) segments[i] = describeClosure(h, closures[c++]!, segments[i - 1]!);
  const parts = segments.map((s) => s.replace(/^\./, '')).filter((s) => s !== '');
  if (parts.length === 0 || (parts.length === 1 && parts[0] === '[…]')) return null;
  return `${parts.join(' → ')} (${state.suffix ?? className(g, node)})`;
}

const PENDING = '\u0000';
