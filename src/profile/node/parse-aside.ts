// The earlier snapshots of a series parsed in a worker thread while the main thread parses the last
// one: the census of each is all the analysis keeps of them, and the machine's second core does the
// work. Never rejects: a file the worker did not report (it failed to start, or died) comes back
// undefined and is parsed again in the main thread, so the report is the same either way.
import { closeSync, readSync, statSync } from 'node:fs';
import { openInputFile } from '../../open-input.js';
import { Worker } from 'node:worker_threads';
import { LeakError, type LeakErrorCode } from '../../errors.js';
import type { NodeCensus } from './aggregate.js';
import { compiledModule } from '../../package-root.js';

export interface AsideCensus {
  census: NodeCensus;
  clock?: number;
  objects: number;
  seconds: number;
}

/** What the worker said of one file: its census, or the error that stopped it. */
export type AsideResult = AsideCensus | { error: Error } | undefined;

/**
 * The bytes of typed arrays a file's graph takes (heap-graph.ts: 17 per node, 9 per edge), from the
 * counts in its header: what a parse costs in time and memory, where the file's size does not say it
 * (a strings-heavy file is mostly strings, which are skipped). From the size where the header cannot
 * be read: half of it, what object-heavy files measure.
 */
export function graphBytes(file: string): number {
  let fd: number | null = null;
  try {
    ({ fd } = openInputFile(file, 'snapshot')); // never a FIFO's blocking open
    const head = Buffer.alloc(64 * 1024);
    const text = head.toString('latin1', 0, readSync(fd, head, 0, head.length, 0));
    const count = (key: string) => Number(new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(text)?.[1] ?? NaN);
    const nodes = count('node_count'), edges = count('edge_count');
    if (Number.isFinite(nodes) && Number.isFinite(edges)) return nodes * 17 + edges * 9;
    return statSync(file).size / 2;
  } catch {
    return 0; // unreadable: the main thread's parse says why
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Start parsing `files` aside; the promise settles when the worker is done (or gone). */
export function censusesAside(files: string[]): Promise<AsideResult[]> {
  return new Promise((resolve) => {
    const out: AsideResult[] = new Array<AsideResult>(files.length).fill(undefined);
    let worker: Worker;
    try {
      worker = new Worker(compiledModule('profile/node/census-worker.js'), { workerData: { files } });
    } catch {
      resolve(out);
      return;
    }
    worker.on('message', (m: { done?: true; i: number; error?: { code: LeakErrorCode | null; message: string } } & AsideCensus) => {
      if (m.done) resolve(out);
      else if (m.error) out[m.i] = { error: m.error.code ? new LeakError(m.error.code, m.error.message) : new Error(m.error.message) };
      else out[m.i] = { census: m.census, clock: m.clock, objects: m.objects, seconds: m.seconds };
    });
    worker.on('error', () => {}); // its files come back undefined: parsed again in the main thread
    worker.on('exit', () => setImmediate(() => resolve(out))); // after any message still queued
  });
}
