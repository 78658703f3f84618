// The earlier snapshots of a series parsed in a worker thread while the main thread parses the last
// one: the census of each is all the analysis keeps of them, and the machine's second core does the
// work. Never rejects: a file the worker did not report (it failed to start, or died) comes back
// undefined and is parsed again in the main thread, so the report is the same either way.
import { Worker } from 'node:worker_threads';
import { LeakError, type LeakErrorCode } from '../../errors.js';
import type { NodeCensus } from './aggregate.js';

export interface AsideCensus {
  census: NodeCensus;
  clock?: number;
  objects: number;
  seconds: number;
}

/** What the worker said of one file: its census, or the error that stopped it. */
export type AsideResult = AsideCensus | { error: Error } | undefined;

/** Start parsing `files` aside; the promise settles when the worker is done (or gone). */
export function censusesAside(files: string[]): Promise<AsideResult[]> {
  return new Promise((resolve) => {
    const out: AsideResult[] = new Array<AsideResult>(files.length).fill(undefined);
    let worker: Worker;
    try {
      worker = new Worker(new URL('./census-worker.js', import.meta.url), { workerData: { files } });
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
