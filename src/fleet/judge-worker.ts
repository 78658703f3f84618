// A worker thread that judges series: batches of SeriesJob in, Judged out, in the order received.
import { parentPort } from 'node:worker_threads';
import { judgeSeries, type JudgeOptions, type SeriesJob } from './judge-series.js';

parentPort!.on('message', (m: { jobs: SeriesJob[]; o: JudgeOptions }) => {
  try {
    parentPort!.postMessage({ judged: m.jobs.map((j) => judgeSeries(j, m.o)) });
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
  }
});
