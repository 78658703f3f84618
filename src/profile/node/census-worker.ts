// Worker thread: parse and aggregate the earlier snapshots of a series while the main thread parses the
// last one (whose graph the analysis keeps). Sends one message per file, in order, then { done: true };
// stops at the first file that fails, sending its error (code and message) instead.
import { parentPort, workerData } from 'node:worker_threads';
import { isLeakError } from '../../errors.js';
import { aggregateSnapshot } from './aggregate.js';
import { snapshotClock } from './snapshot-extras.js';
import { parseSnapshotFile } from './snapshot-parser.js';

/** One file (a function, so its graph is garbage before the next file is parsed). */
function censusOf(file: string, i: number): object {
  const t0 = performance.now();
  const g = parseSnapshotFile(file);
  return { i, census: aggregateSnapshot(g, file, 0), clock: snapshotClock(g), objects: g.nodeCount, seconds: (performance.now() - t0) / 1000 };
}

const { files } = workerData as { files: string[] };
for (let i = 0; i < files.length; i++) {
  try {
    parentPort!.postMessage(censusOf(files[i]!, i));
  } catch (e) {
    parentPort!.postMessage({ i, error: isLeakError(e) ? { code: e.code, message: e.message } : { code: null, message: String(e) } });
    break;
  }
}
parentPort!.postMessage({ done: true });
