// Offline analysis of a series of heap snapshots: parse each (streaming), aggregate per type, put them
// in the order their object ids say, diff, then on the last one: the dominator tree, each grower's
// retained growth (its internals folded under it), and who holds its new instances, in clusters.
import { usageError } from '../../errors.js';
import type { GrowingType, ProfileReport } from '../../types.js';
import { diffCensuses, NOISE_FLOOR, rankByRetained } from '../diff.js';
import { aggregateSnapshot, type NodeCensus } from './aggregate.js';
import { clusterByHolder } from './clusters.js';
import { computeDominators } from './dominators.js';
import type { HeapGraph } from './heap-graph.js';
import { prepareHolderNaming } from './holder-names.js';
import { measureRetainedGrowth } from './retained-growth.js';
import { computeRetainers } from './retainers.js';
import { parseSnapshotFile } from './snapshot-parser.js';
import { orderSnapshots } from './snapshot-order.js';
import { snapshotClock } from './snapshot-extras.js';
import { censusesAside, graphBytes } from './parse-aside.js';
import { collectGarbage } from './collect-garbage.js';
import { availableParallelism } from 'node:os';

export interface SnapshotInput {
  file: string;
  /** What messages call the file where its path means nothing to a user (a live capture read back
   * through /proc/self/fd/N: "snapshot 2/3"); the path itself otherwise. */
  label?: string;
  /** Seconds since the first snapshot, where measured (live capture). */
  t_s?: number;
  pause_s?: number | null;
}

export interface AnalyzeOptions {
  top: number;
  /** Seconds between consecutive offline snapshots, as the user states it (--interval). */
  interval_s?: number;
  onProgress?: (line: string) => void;
  /**
   * analyzeSnapshotsInParallel: parse aside only when the earlier files' graphs take this much
   * (parse-aside.ts graphBytes; default 128 MiB, what ~256 MiB of object-heavy snapshots hold).
   */
  parallelMinGraphBytes?: number;
  /** Collect garbage before each file is parsed and before the dominator tree (the CLI: collect-garbage.ts); the library leaves GC alone. */
  collectBetweenFiles?: boolean;
}

type Parsed = { census: NodeCensus; clock?: number };
/** The last file's graph, in a box the analysis can empty (so a re-read does not hold two graphs). */
type Last = { graph: HeapGraph | null };

/** Turn ≥ 2 snapshot files into a Profile report, parsing them one after the other. */
export function analyzeSnapshots(inputs: SnapshotInput[], opts: AnalyzeOptions): ProfileReport {
  if (inputs.length < 2) throw usageError(`need at least 2 snapshots to see growth, got ${inputs.length}`);
  const say = opts.onProgress ?? (() => {});
  const parsed: Parsed[] = [];
  // Only the graph of the file parsed last is held (holding the previous one while parsing the next
  // costs a whole snapshot's arrays of peak memory); files given out of order re-read the newest.
  const last: Last = { graph: null };
  for (const inp of inputs) {
    dropGraph(last, opts);
    last.graph = parseOne(inp, parsed, say);
  }
  return analyzeParsed(inputs, parsed, last, opts, say);
}

/**
 * Earlier files worth a worker thread, by the graphs they hold. The thread and a second graph held
 * during the overlap add ~25–30 MB to the peak (measured: 143 → 172 MB on a 54 MB set) for well under a
 * second saved on small graphs; from ~128 MiB of earlier graphs on (~256 MiB of object-heavy files) it
 * saves seconds and the peak is the dominator tree's anyway. A strings-heavy set of the same file sizes
 * holds a quarter of that graph: parsed here, it peaks 25–30 MB lower (bench/README.md §3).
 */
const PARALLEL_MIN_GRAPH_BYTES = 128 * 1024 * 1024;

/**
 * The same report; the earlier files are parsed in a worker thread while this thread parses the last
 * one (on a machine with a second core and enough to parse). Progress lines and errors come in file
 * order, as from analyzeSnapshots.
 */
export async function analyzeSnapshotsInParallel(inputs: SnapshotInput[], opts: AnalyzeOptions): Promise<ProfileReport> {
  const earlier = inputs.slice(0, -1);
  if (inputs.length < 2 || availableParallelism() < 2 || earlier.reduce((s, x) => s + graphBytes(x.file), 0) < (opts.parallelMinGraphBytes ?? PARALLEL_MIN_GRAPH_BYTES)) {
    return analyzeSnapshots(inputs, opts);
  }
  const say = opts.onProgress ?? (() => {});
  const aside = censusesAside(earlier.map((x) => x.file));
  const lastParsed: Parsed[] = [], last: Last = { graph: null };
  let failure: unknown = null;
  const lines: string[] = [];
  try {
    last.graph = parseOne(inputs[inputs.length - 1]!, lastParsed, (l) => lines.push(l));
  } catch (e) {
    failure = e;
  }
  const results = await aside;
  const parsed: Parsed[] = [];
  for (const [i, r] of results.entries()) {
    if (r === undefined) parseOne(earlier[i]!, parsed, say); // the worker did not report it: parse it here
    else if ('error' in r) throw r.error;
    else {
      parsed.push({ census: r.census, clock: r.clock });
      say(progressLine(shown(earlier[i]!), r.objects, r.seconds));
    }
  }
  if (failure) throw failure;
  for (const l of lines) say(l);
  return analyzeParsed(inputs, [...parsed, ...lastParsed], last, opts, say);
}

/** Let go of the held graph before the next is parsed; the CLI also has it collected at once (collect-garbage.ts). */
function dropGraph(last: Last, opts: AnalyzeOptions): void {
  if (last.graph === null) return;
  last.graph = null;
  if (opts.collectBetweenFiles) collectGarbage();
}

// (A function per file: a loop's block-scoped `g` would stay live in the frame while the next parses.)
function parseOne(inp: SnapshotInput, parsed: Parsed[], say: (line: string) => void): HeapGraph {
  const t0 = performance.now();
  const g = parseSnapshotFile(inp.file);
  parsed.push({ census: aggregateSnapshot(g, inp.file, 0), clock: snapshotClock(g) });
  say(progressLine(shown(inp), g.nodeCount, (performance.now() - t0) / 1000));
  return g;
}

const shown = (inp: SnapshotInput) => inp.label ?? inp.file;
const progressLine = (file: string, objects: number, s: number) => `parsed ${file}: ${objects.toLocaleString('en-US')} objects in ${s.toFixed(1)} s`;

/** Order, diff, and on the newest snapshot's graph: retained sizes and holders. */
function analyzeParsed(inputs: SnapshotInput[], parsed: Parsed[], last: Last, opts: AnalyzeOptions, say: (line: string) => void): ProfileReport {
  const ord = orderSnapshots(
    inputs.map((inp, i) => ({ file: shown(inp), maxId: parsed[i]!.census.maxId, t_s: inp.t_s, ownClock_us: parsed[i]!.clock })),
    opts.interval_s,
  );
  for (const n of ord.notes) say(n);
  const censuses = ord.order.map((i, k) => ({ ...parsed[i]!.census, t_s: ord.t_s[k]! }));
  // The noise floor applies to what a type retains, not only its own bytes: a PrefetchedBatch is 40
  // bytes itself and retains 64 KB. So: every type that grew, its retained growth, then the floor.
  let growing = diffCensuses(censuses);
  const newest = ord.order[ord.order.length - 1]!;
  if (growing.length > 0) {
    if (newest !== inputs.length - 1) {
      dropGraph(last, opts);
      say(`re-reading ${shown(inputs[newest]!)}, the newest snapshot, for retained sizes and holders`);
      last.graph = parseSnapshotFile(inputs[newest]!.file);
    }
    // (the parse's garbage goes before the dominator tree's arrays come: −4 MB of peak on the 249 MB set)
    if (opts.collectBetweenFiles) collectGarbage();
    attachRetained(last.graph!, censuses[0]!.maxId, growing, say);
  }
  const spanMin = (censuses[censuses.length - 1]!.t_s - censuses[0]!.t_s) / 60;
  for (const x of growing) if (typeof x.retained_bytes === 'number') x.retained_bytes_per_min = spanMin > 0 ? x.retained_bytes / spanMin : null;
  growing = growing.filter(aboveNoise);
  return {
    target: { pid: null, runtime: 'snapshot' },
    snapshots: censuses.map((c, k) => ({ t_s: round(c.t_s), file: c.file, objects: c.objects, bytes: c.bytes, pause_s: inputs[ord.order[k]!]!.pause_s ?? null })),
    growing: rankByRetained(growing).slice(0, opts.top),
    timing: ord.timing,
    ...(ord.notes.length ? { warnings: ord.notes } : {}),
  };
}

/**
 * On the last snapshot: retained bytes of each grower's new instances (ids above the first
 * snapshot's largest), which growers fold under another, and holder clusters.
 */
function attachRetained(g: HeapGraph, sinceId: number, growing: GrowingType[], say: (line: string) => void): void {
  const t0 = performance.now();
  // Dominators first: their scratch arrays are garbage before the BFS allocates its own.
  const dom = computeDominators(g);
  const rg = measureRetainedGrowth(g, dom, growing.map((x) => x.type), sinceId);
  // The dominators' spent scratch arrays serve the BFS (typeOf/anc of the growth pass are spent too).
  const r = computeRetainers(g, [dom.scratch[2]!, dom.scratch[3]!, dom.scratch[0]!]);
  say(`retained sizes and holders: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const naming = prepareHolderNaming(g, r);
  for (const grower of growing) {
    const list = rg.instances.get(grower.type) ?? new Int32Array(0);
    if (list.length === 0) continue; // grew without new objects (a string rebuilt bigger): no holder
    grower.retained_bytes = rg.retained.get(grower.type) ?? null;
    grower.folded_into = rg.foldedInto.get(grower.type) ?? null;
    netRetained.set(grower, (grower.retained_bytes ?? 0) * Math.min(1, Math.max(0, grower.count_delta) / list.length));
    if (!aboveNoise(grower)) continue; // dropped from the report: no holder search
    const clusters = clusterByHolder(naming, list, dom.retained);
    // The biggest cluster with a name: new instances caught in flight at the capture (held by a stack
    // frame or a queue for a moment, "?") can outweigh the cache that keeps the rest; the share says how
    // many the named holder accounts for, and the clusters list keeps the unnamed group.
    const named = clusters.find((c) => c.path !== '?');
    if (named) {
      grower.retainer_path = named.path;
      grower.retainer_share = named.share;
    }
    if (!grower.folded_into) grower.clusters = clusters.slice(0, 5);
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * What a grower's net new objects retain: its new instances' retained bytes times the share of them that
 * is net growth (count_delta of them). Where nothing dies the two are the same; in a bounded cache that
 * replaced its entries, every instance is new while the count rose by a few (500 new entries retaining
 * 270 KB, 6 more than before): those few retain their share, not the cache's whole turnover.
 */
const netRetained = new WeakMap<GrowingType, number>();

/** Above the noise floor by its own bytes, its count, or what its net new objects retain. */
const aboveNoise = (x: GrowingType): boolean =>
  x.bytes_delta >= NOISE_FLOOR.minBytes! || x.count_delta >= NOISE_FLOOR.minCount! || (netRetained.get(x) ?? 0) >= NOISE_FLOOR.minBytes!;
