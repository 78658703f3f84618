// Series judged on every core: worker threads take batches, the reader waits when they are all busy
// (so the fleet is never queued up in memory), results come back as they are judged. With no
// workers (one core, or a handful of series) the same function runs inline.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { judgeSeries, type Judged, type JudgeOptions, type SeriesJob } from './judge-series.js';
import { compiledModule } from '../package-root.js';

const BATCH = 16;
/**
 * Series the reader may hand over before it waits for a worker: more than a Prometheus shard's answer
 * (≤ 86 series of a day at 15 s), so the next request is out while the workers judge this one (at
 * 32 the reader waited for them, and they then waited for the server). ~12 KB of points each.
 */
const QUEUED = 256;

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class JudgePool {
  private slots: Slot[] = [];
  private pending: SeriesJob[] = [];
  private waiters: (() => void)[] = [];
  private inFlight = 0;
  private failure: Error | null = null;

  /** `workers` 0: judge inline, in the caller's thread. */
  constructor(private o: JudgeOptions, private onJudged: (j: Judged) => void, workers = defaultWorkers()) {
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(compiledModule('fleet/judge-worker.js'));
      const slot: Slot = { worker, busy: false };
      worker.on('message', (m: { judged?: Judged[]; error?: string }) => {
        slot.busy = false;
        if (m.error) this.failure ??= new Error(`a judging worker failed: ${m.error}`);
        for (const j of m.judged ?? []) this.onJudged(j);
        this.inFlight -= m.judged?.length ?? 0;
        this.dispatch();
        this.wake();
      });
      worker.on('error', (e) => {
        this.failure ??= e;
        this.wake();
      });
      this.slots.push(slot);
    }
  }

  /** Hand a series over; resolves when there is room for more (back-pressure on the reader). */
  async submit(job: SeriesJob): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.slots.length === 0) {
      this.onJudged(judgeSeries(job, this.o));
      return;
    }
    this.pending.push(job);
    this.inFlight++;
    this.dispatch();
    while (this.pending.length >= Math.max(QUEUED, BATCH * this.slots.length) && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  /** Wait until every submitted series is judged. */
  async drain(): Promise<void> {
    this.dispatch(true);
    while (this.inFlight > 0 && !this.failure) {
      await new Promise<void>((r) => this.waiters.push(r));
      this.dispatch(true);
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }

  private dispatch(flush = false): void {
    for (const s of this.slots) {
      if (s.busy || this.pending.length === 0 || (!flush && this.pending.length < BATCH)) continue;
      s.busy = true;
      s.worker.postMessage({ jobs: this.pending.splice(0, BATCH), o: this.o });
    }
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** One worker per core (the reader's parsing shares them: it waits on the network most of the time). */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}
