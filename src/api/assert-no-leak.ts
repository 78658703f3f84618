// assertNoLeak: a leak check for test suites (node:test, Jest, Vitest). It runs `fn` many times, takes the
// heap's size after a forced full GC at checkpoints, fits the growth per iteration with its 95 % interval and
// fails only when the interval's lower bound is above the allowance. One before/after difference (what
// Jest's --detectLeaks and most hand-written checks do) fails on a single late allocation or GC timing;
// a slope over many checkpoints with an interval does not.
//
//   bytes ▲             ·  ·          slope = growth per iteration
//         │      ·  ·  ·              fail  ⇔  lower 95 % bound > maxGrowth
//         │ · ·  ·                    then: two heap snapshots, diffed by type,
//         └──────────────────▶ it     and who holds the top grower
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { analyzeSnapshots } from '../profile/node/analyze-snapshots.js';
import type { GrowingType } from '../types.js';
import { parseSize } from '../units.js';
import { obtainGc } from './force-gc.js';

export interface AssertNoLeakOptions {
  /** Iterations run first and not measured (JIT, caches, lazy initialisation). Default 20. */
  warmup?: number;
  /** Measured iterations. Default 100. */
  iterations?: number;
  /**
   * Allowed growth per iteration: bytes, or a size such as '1KB'. Default 256 B: functions that retain
   * nothing still show the engine's own growth as they warm up (JIT metadata in old space: measured lower
   * bounds up to ~55 B/iteration after 200 warm-up calls of a JSON.stringify loop). Set 0, with more
   * warm-up, to catch smaller leaks.
   */
  maxGrowth?: number | string;
  /** Number of measuring points over the measured iterations. Default min(30, iterations). */
  checkpoints?: number;
  /** On failure, diff two heap snapshots to name the growing constructors and a holder. Default true. */
  profileOnFailure?: boolean;
  /** Where the failure details are printed (besides the error's message). Default: stderr. */
  log?: (line: string) => void;
}

export interface NoLeakResult {
  verdict: 'pass' | 'fail';
  iterations: number;
  growth_bytes_per_iteration: number;
  growth_ci95_bytes_per_iteration: [number, number];
  max_growth_bytes_per_iteration: number;
  /** Heap bytes (V8's heap spaces except code, plus external memory) after a full GC, at each checkpoint. */
  checkpoints: { iteration: number; bytes: number }[];
  /** On failure: the types that grew between two snapshots, biggest first, with their holders. */
  growers: GrowingType[];
}

/** The error assertNoLeak rejects with; `result` has the numbers. */
export class LeakAssertionError extends Error {
  readonly result: NoLeakResult;
  constructor(message: string, result: NoLeakResult) {
    super(message);
    this.name = 'LeakAssertionError';
    this.result = result;
  }
}

/** Run `fn` repeatedly and reject with a LeakAssertionError if the heap confidently grows faster than allowed. */
export async function assertNoLeak(fn: () => unknown, opts: AssertNoLeakOptions = {}): Promise<NoLeakResult> {
  const warmup = wholeNumber(opts.warmup ?? 20, 'warmup', 0);
  const iterations = wholeNumber(opts.iterations ?? 100, 'iterations', 3);
  const points = Math.min(iterations, wholeNumber(opts.checkpoints ?? Math.min(30, iterations), 'checkpoints', 3));
  const allowed = parseSize(opts.maxGrowth ?? 256, 'maxGrowth');
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const gc = obtainGc();

  // Preallocated: a checkpoint object per measurement would itself be a steady ~56 B of growth.
  const at = new Float64Array(points + 1);
  const bytes = new Float64Array(points + 1);
  for (let i = 0; i < warmup; i++) await fn();
  bytes[0] = await settledHeap(gc);
  let done = 0;
  for (let c = 1; c <= points; c++) {
    const until = Math.round((iterations * c) / points);
    for (; done < until; done++) await fn();
    at[c] = done;
    bytes[c] = await settledHeap(gc);
  }
  const fit = senSlope(at, bytes);
  const result: NoLeakResult = {
    verdict: fit.lower > allowed ? 'fail' : 'pass',
    iterations,
    growth_bytes_per_iteration: fit.slope,
    growth_ci95_bytes_per_iteration: [fit.lower, fit.upper],
    max_growth_bytes_per_iteration: allowed,
    checkpoints: Array.from(at, (iteration, i) => ({ iteration, bytes: bytes[i]! })),
    growers: [],
  };
  if (result.verdict === 'pass') return result;

  if (opts.profileOnFailure !== false) result.growers = await growersOverMoreRuns(fn, gc, Math.max(100, iterations));
  const lines = [
    `leak: the heap grew ${formatBytes(fit.slope)} per iteration (95 % CI ${formatBytes(result.growth_ci95_bytes_per_iteration[0])}` +
      `–${formatBytes(result.growth_ci95_bytes_per_iteration[1])}) over ${iterations} iterations, more than the ${formatBytes(allowed)} allowed`,
    ...result.growers.slice(0, 5).map(
      (g) => `  ${g.type}: +${g.count_delta} objects, +${formatBytes(g.bytes_delta)}${g.retainer_path ? `, held by ${g.retainer_path}` : ''}`,
    ),
  ];
  for (const l of lines) log(l);
  throw new LeakAssertionError(lines.join('\n'), result);
}

/**
 * Theil–Sen slope with Sen's distribution-free 95 % interval (from the variance of Kendall's S). Robust on
 * purpose: V8 now and then keeps a ~100 KB page or buffer for one checkpoint and gives it back at the next,
 * which moves a least-squares line and its interval but not the median of pairwise slopes.
 */
export function senSlope(x: ArrayLike<number>, y: ArrayLike<number>): { slope: number; lower: number; upper: number } {
  const n = x.length;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (x[j]! !== x[i]!) slopes.push((y[j]! - y[i]!) / (x[j]! - x[i]!));
  slopes.sort((a, b) => a - b);
  const N = slopes.length;
  const mid = N % 2 ? slopes[(N - 1) / 2]! : (slopes[N / 2 - 1]! + slopes[N / 2]!) / 2;
  const c = 1.96 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const lo = Math.max(0, Math.floor((N - c) / 2));
  const hi = Math.min(N - 1, Math.ceil((N + c) / 2));
  return { slope: mid, lower: slopes[lo]!, upper: slopes[hi]! };
}

/**
 * Heap after full GCs, the lowest of three readings a turn of the event loop apart (finalizers and weak
 * callbacks run between them). The lowest, because the host's own transient buffers come and go: under
 * node:test the reporter's ~130 KB of buffers were present at some checkpoints and not at others, swings
 * 200× the growth being measured.
 */
async function settledHeap(gc: () => void): Promise<number> {
  let lowest = Infinity;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
    // Code spaces left out: optimised code for `fn` and its callees appears as it warms up (measured: ~35 KB
    // over the first 150 calls of a JSON.stringify loop) and is the engine's, not the program's, memory.
    let used = process.memoryUsage().external;
    for (const s of v8.getHeapSpaceStatistics()) if (!s.space_name.startsWith('code')) used += s.space_used_size;
    lowest = Math.min(lowest, used);
  }
  return lowest;
}

/** Snapshot, run `n` more iterations, snapshot again, and diff the two by constructor. */
async function growersOverMoreRuns(fn: () => unknown, gc: () => void, n: number): Promise<GrowingType[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leak-detective-assert-')); // 0700, ours alone
  try {
    await settledHeap(gc);
    const a = v8.writeHeapSnapshot(path.join(dir, 'before.heapsnapshot'));
    const t0 = Date.now();
    for (let i = 0; i < n; i++) await fn();
    await settledHeap(gc);
    const b = v8.writeHeapSnapshot(path.join(dir, 'after.heapsnapshot'));
    const report = analyzeSnapshots([{ file: a, t_s: 0 }, { file: b, t_s: Math.max(0.001, (Date.now() - t0) / 1000) }], { top: 5 });
    return report.growing;
  } catch {
    return []; // the numbers above still stand; naming the growers is a courtesy
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function wholeNumber(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new TypeError(`assertNoLeak: \`${name}\` must be a whole number ≥ ${min}, got ${v}`);
  return v;
}

function formatBytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 1024 * 1024) return `${(b / 1024 / 1024).toFixed(2)} MB`;
  if (a >= 1024) return `${(b / 1024).toFixed(2)} KB`;
  return `${b.toFixed(0)} B`;
}
