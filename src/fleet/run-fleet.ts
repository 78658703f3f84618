// A fleet read back and judged: list the series, read them one at a time (bulk export or sharded
// queries), judge each on a worker as soon as it is whole, hand each verdict on as it comes. A server
// that fails mid-way stops the read; the series already judged are kept and returned with the error.
import { isLeakError, type LeakError } from '../errors.js';
import { describeSeries, nameSeries, unitOf } from '../store/read-prometheus.js';
import { escapeControl } from '../text/escape.js';
import { noSeries, planFleet, readFleet, seriesKey, type FleetQuery } from './fleet-read.js';
import { JudgePool } from './judge-pool.js';
import type { Judged } from './judge-series.js';
import { DEFAULT_LIMITS, ServerClient } from './server-client.js';

export interface FleetRequest extends FleetQuery {
  url: string;
  /** Bytes per unit of the values; null = from the metric name. */
  unitBytes: number | null;
  maxRate: number | null;
  /** The whole read's time limit. */
  timeoutMs: number;
  /** Worker threads; 0 judges inline. Default: one per core. */
  workers?: number;
  /** Classes whose points and fit are kept (for charts). */
  keepSeriesOf: string[];
}

export interface FleetOutcome {
  /** Every series listed. */
  listed: number;
  judged: Judged[];
  /** How the samples were read. */
  via: string;
  /** The error that stopped the read, after the series judged before it. */
  failure: LeakError | null;
  readMs: number;
  totalMs: number;
  bytes: number;
  requests: number;
}

export async function runFleet(r: FleetRequest, onJudged: (j: Judged) => void, say: (line: string) => void): Promise<FleetOutcome> {
  const began = Date.now();
  const client = new ServerClient(r.url, { ...DEFAULT_LIMITS, deadlineMs: began + r.timeoutMs });
  const plan = await planFleet(client, r);
  if (plan.series.length === 0) throw noSeries(r.url, r);
  const names = new Map<string, string>();
  nameSeries(plan.series).forEach((n, i) => names.set(seriesKey(plan.series[i]!), n));
  const guessed = new Set<string>();
  for (const m of plan.series) if (r.unitBytes === null && !unitOf(m.__name__ ?? '').known) guessed.add(m.__name__ ?? '?');
  if (guessed.size > 0) say(`took ${[...guessed].slice(0, 5).join(', ')} to be in bytes (the name does not say); pass --unit MiB (or kB, GiB…) if not`);
  const judged: Judged[] = [];
  const pool = new JudgePool(
    { maxRate: r.maxRate, originMs: r.startMs, keepSeriesOf: r.keepSeriesOf },
    (j) => {
      judged.push(j);
      onJudged(j);
    },
    r.workers,
  );
  let via = '';
  let failure: LeakError | null = null;
  let readMs = 0;
  let id = 0;
  const unlisted: Record<string, string>[] = [];
  try {
    let t = Date.now();
    for await (const s of readFleet(client, r, plan, (how) => ((via = how), say(`reading ${plan.series.length} series from ${r.url} by ${how}`)))) {
      readMs += Date.now() - t;
      const key = seriesKey(s.labels);
      // A series the selector selects but the listing at the start did not hold (one that appeared
      // since, or a server that answers two ways) is not of the fleet listed: left out, and said.
      if (!names.has(key)) unlisted.push(s.labels);
      else if (s.buckets.raw.samples > 0) {
        const unit = r.unitBytes ?? unitOf(s.labels.__name__ ?? '').bytes;
        const b = s.buckets;
        await pool.submit({
          id: id++, name: names.get(key) ?? key, labels: s.labels, t_ms: b.t_ms, bytes: unit === 1 ? b.values : b.values.map((v) => v * unit),
          raw: unit === 1 ? b.raw : { samples: b.raw.samples, first: b.raw.first! * unit, last: b.raw.last! * unit, min: b.raw.min! * unit, max: b.raw.max! * unit },
          bucketed: b.bucketed,
        });
      }
      t = Date.now();
    }
    readMs += Date.now() - t;
  } catch (e) {
    if (!isLeakError(e)) {
      await pool.close();
      throw e;
    }
    failure = e;
  }
  if (unlisted.length > 0) {
    const shown = unlisted.slice(0, 3).map((m) => escapeControl(describeSeries(m))).join(', ');
    say(`left out ${unlisted.length} series the server sent but had not listed for \`${escapeControl(r.selector)}\` at the start (new since?): ${shown}${unlisted.length > 3 ? ', …' : ''}`);
  }
  try {
    await pool.drain();
  } finally {
    await pool.close();
  }
  if (!failure && judged.length === 0) throw noSeries(r.url, r);
  return { listed: plan.series.length, judged, via, failure, readMs, totalMs: Date.now() - began, bytes: client.bytes, requests: client.requests };
}
