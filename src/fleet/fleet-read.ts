// Every series a selector matches, from a Prometheus-API server, one series at a time: from
// VictoriaMetrics' bulk export of raw samples where the server has it (detected: Prometheus, Thanos
// and Mimir answer 404), else range queries cut into shards of series and windows of time small
// enough for the server's limits (parsed from its refusals). The fleet is never held: a series is
// handed on once its last sample is in.
import { inputError, notFoundError, usageError } from '../errors.js';
import { answerData, checkLabels, matrixOf, sampleValue, TooBig } from './api-answer.js';
import { ADDED, BACKWARDS, gridFor, OUTSIDE, SeriesBuckets, type Grid, type SampleFit } from './series-buckets.js';
import { parseExportLine, type ExportRow } from './export-line.js';
import { scanMatrixAnswer, ScannedMatrix } from './matrix-answer.js';
import { selectorTest, withMatcher } from './selector.js';
import { escapeControl } from '../text/escape.js';
import { describeSeries } from '../store/read-prometheus.js';
import type { ServerClient } from './server-client.js';

/** Samples asked for per request: an answer stays tens of MB, under Prometheus' 50 M-sample default. */
export const SAMPLES_PER_REQUEST = 500_000;
/** query_range answers at most 11,000 points per series on Prometheus (30,000 on VictoriaMetrics). */
const POINTS_PER_RANGE_QUERY = 11_000;

export interface FleetPlan {
  /** Every series the selector matches, in the server's order. */
  series: Record<string, string>[];
  /** About how many samples one series holds in the window. */
  samplesPerSeries: number;
  grid: Grid;
}

export interface FleetQuery {
  selector: string;
  startMs: number;
  endMs: number;
  /** Evaluate every stepMs (query_range) instead of reading raw samples. */
  stepMs: number | null;
}

/** One series, read whole. */
export interface FleetSeries {
  labels: Record<string, string>;
  buckets: SeriesBuckets;
}

const sec = (ms: number) => (ms / 1000).toFixed(3);

/** A series' identity: its label set, in a stable order. */
export function seriesKey(metric: Record<string, string>): string {
  return Object.keys(metric).sort().map((k) => `${k}=${JSON.stringify(metric[k])}`).join(',');
}

/** List the matching series and estimate their length (one cheap count over the last hour). */
export async function planFleet(c: ServerClient, q: FleetQuery): Promise<FleetPlan> {
  const listed = await c.json('api/v1/series', [['match[]', q.selector], ['start', sec(q.startMs)], ['end', sec(q.endMs)]], { form: true });
  let data: unknown;
  try {
    data = answerData(c.base, `the series list of \`${q.selector}\``, listed!.status, listed!.body);
  } catch (e) {
    // The listing is one request that cannot be split: a server limit on it (VictoriaMetrics'
    // -search.maxSeries, a timeout) is the user's to lift or to narrow.
    if (e instanceof TooBig) throw inputError(`${c.base} refuses to list the series of \`${q.selector}\`: ${e.message}; narrow --query (e.g. one job or namespace) or --since, or raise the server's limit`);
    throw e;
  }
  if (!Array.isArray(data)) throw inputError(`${c.base} answered the series list with ${escapeControl(typeof data)}, not a list; that is not a Prometheus API answer`);
  const series = data.map((m) => checkLabels(c.base, m));
  const selects = selectorTest(q.selector);
  for (const m of series) notSelected(c, m, q.selector, selects(m));
  let perSeries: number;
  if (q.stepMs !== null) perSeries = Math.floor((q.endMs - q.startMs) / q.stepMs) + 1;
  else {
    const hour = Math.min(3_600_000, q.endMs - q.startMs);
    perSeries = Math.ceil(((q.endMs - q.startMs) / 1000) / 15); // a 15 s scrape, unless counted
    try {
      const r = await c.json('api/v1/query', [['query', `max(count_over_time(${q.selector}[${Math.max(1, Math.round(hour / 1000))}s]))`], ['time', sec(q.endMs)]], { form: true });
      const d = answerData(c.base, 'a sample count', r!.status, r!.body) as { result?: { value?: [number, string] }[] };
      const n = Number(d?.result?.[0]?.value?.[1]);
      if (Number.isFinite(n) && n > 0) perSeries = Math.ceil(n * ((q.endMs - q.startMs) / hour));
    } catch (e) {
      if (!(e instanceof TooBig)) throw e;
    }
  }
  return { series, samplesPerSeries: perSeries, grid: q.stepMs !== null ? { startMs: q.startMs, endMs: q.endMs, bucketMs: null } : gridFor(q.startMs, q.endMs) };
}

/** Every series of the plan, read whole, one at a time. `via` says which way was taken. */
export async function* readFleet(c: ServerClient, q: FleetQuery, plan: FleetPlan, via: (how: string) => void): AsyncGenerator<FleetSeries> {
  if (q.stepMs === null) {
    const exported = await c.lines('api/v1/export', [['match[]', q.selector], ['start', sec(q.startMs)], ['end', sec(q.endMs)]]);
    if (exported) {
      if (exported.status !== 200) {
        const text = escapeControl((await exported.errorText()).trim().slice(0, 300));
        if (exported.status === 400 || exported.status === 422) throw usageError(`${c.base} refused the export of \`${q.selector}\`: ${text}`);
        throw inputError(`${c.base} answered the export of \`${q.selector}\` with HTTP ${exported.status}: ${text}`);
      }
      via('bulk export (/api/v1/export)');
      yield* fromExport(c, exported.lines, plan.grid, q.selector);
      return;
    }
  }
  via(q.stepMs === null ? 'range-vector queries in shards' : 'query_range in shards');
  yield* fromQueries(c, q, plan);
}

const timeOf = (tMs: number) => (Number.isFinite(tMs) && Math.abs(tMs) < 8.64e15 ? new Date(tMs).toISOString() : String(tMs / 1000));

/** A sample SeriesBuckets would not take (outside the window, out of order, a second value at one time): the answer is refused, not judged. */
function unfit(c: ServerClient, name: string, fit: SampleFit, tMs: number, v: number, b: SeriesBuckets): Error {
  const who = escapeControl(name), grid = b.grid;
  if (fit === OUTSIDE) {
    return inputError(
      `${c.base} sent a sample at ${timeOf(tMs)} for ${who}, outside the window asked for (${new Date(grid.startMs).toISOString()} to ${new Date(grid.endMs).toISOString()}); ` +
        'its timestamps are not seconds since the epoch (milliseconds?): check the server',
    );
  }
  if (fit === BACKWARDS) return inputError(`${c.base} sent the samples of ${who} out of time order (${timeOf(tMs)} after ${timeOf(b.lastT)}); a series comes oldest first: check the server`);
  return inputError(`${c.base} sent two values for ${who} at ${timeOf(tMs)} (${b.raw.last} and ${v}); a series has one value at an instant: check the server (two writers of one series?)`);
}

/** A series the server sent for `sel` that `sel` does not select (`why`: the matcher it fails), refused. */
function notSelected(c: ServerClient, labels: Record<string, string>, sel: string, why: string | null): void {
  if (why !== null) throw inputError(`${c.base} sent ${escapeControl(describeSeries(labels))} for \`${escapeControl(sel)}\`, which does not select it (${escapeControl(why)}); check the server`);
}

/** A series sent twice in one answer (two lines of an export, two entries of a matrix): refused, not read as two. */
function sentTwice(c: ServerClient, labels: Record<string, string>, where: string): Error {
  return inputError(`${c.base} sent ${escapeControl(describeSeries(labels))} twice in ${where}; a series is sent once: check the server`);
}

/** VictoriaMetrics' JSON-lines export: one line per series, values and timestamps as arrays. */
async function* fromExport(c: ServerClient, lines: AsyncGenerator<Buffer>, grid: Grid, selector: string): AsyncGenerator<FleetSeries> {
  const list = (x: unknown): x is ArrayLike<unknown> => Array.isArray(x) || x instanceof Float64Array;
  const selects = selectorTest(selector);
  const seen = new Set<string>();
  for await (const line of lines) {
    let row: ExportRow;
    try {
      row = parseExportLine(line);
    } catch {
      throw inputError(`${c.base} sent an export line that is not JSON (${escapeControl(line.toString('utf8', 0, 60))}…); check the server`);
    }
    const labels = checkLabels(c.base, row?.metric);
    const { values, timestamps } = row;
    if (!list(values) || !list(timestamps) || values.length !== timestamps.length) {
      throw inputError(`${c.base} sent an export line for ${escapeControl(seriesKey(labels))} without matching values and timestamps`);
    }
    notSelected(c, labels, selector, selects(labels));
    const key = seriesKey(labels);
    if (seen.has(key)) throw sentTwice(c, labels, 'the export');
    seen.add(key);
    const b = new SeriesBuckets(grid);
    const name = describeSeries(labels);
    for (let i = 0; i < values.length; i++) {
      const t = timestamps[i];
      if (typeof t !== 'number' || !Number.isFinite(t)) throw inputError(`${c.base} sent a timestamp that is not a number for ${escapeControl(name)}`);
      const v = values[i];
      // sampleValue's checks, without its call for the good ones (57.6 M of them in a 10,000-series day)
      const value = typeof v === 'number' && v >= 0 && v !== Infinity ? v : sampleValue(c.base, name, v as number | string);
      const fit = b.add(t, value);
      if (fit !== ADDED) throw unfit(c, name, fit, t, value, b);
    }
    yield { labels, buckets: b.finish() };
  }
}

/** The label that splits the fleet finest, and the shards (lists of its values) of at most `size` series. */
export function shardsOf(series: Record<string, string>[], size: number): { label: string; values: string[][] } | null {
  const keys = [...new Set(series.flatMap((m) => Object.keys(m)))].filter((k) => k !== '__name__');
  if (keys.length === 0 || series.length <= size) return null;
  const distinct = (k: string) => new Set(series.map((m) => m[k] ?? '')).size;
  const label = keys.reduce((a, b) => (distinct(b) > distinct(a) ? b : a));
  const groups = new Map<string, number>();
  for (const m of series) groups.set(m[label] ?? '', (groups.get(m[label] ?? '') ?? 0) + 1);
  const shards: string[][] = [];
  let cur: string[] = [], n = 0;
  for (const [v, count] of groups) {
    if (n > 0 && n + count > size) (shards.push(cur), (cur = []), (n = 0));
    cur.push(v);
    n += count;
  }
  if (cur.length) shards.push(cur);
  return { label, values: shards };
}

/** Range queries, shard by shard; within a shard, windows in time order; a refusal halves the window. */
async function* fromQueries(c: ServerClient, q: FleetQuery, plan: FleetPlan): AsyncGenerator<FleetSeries> {
  const perShard = Math.max(1, Math.floor(SAMPLES_PER_REQUEST / Math.max(1, Math.min(plan.samplesPerSeries, SAMPLES_PER_REQUEST))));
  const split = shardsOf(plan.series, perShard);
  const shardSeries = split ? Math.ceil(plan.series.length / split.values.length) : plan.series.length;
  let pointsLimit = POINTS_PER_RANGE_QUERY;
  // A shard the server refuses for its number of series (VictoriaMetrics' -search.maxUniqueTimeseries)
  // is split in two and read again; its half-read series are dropped first.
  const shard = (label: string, vs: string[]) => ({ sel: withMatcher(q.selector, label, vs), label, values: vs });
  const queue: { sel: string; label: string; values: string[] }[] = split ? split.values.map((vs) => shard(split.label, vs)) : [];
  if (!split) {
    // The whole fleet in one shard: written as the selector itself, split only if the server asks.
    const whole = shardsOf(plan.series, Math.max(1, Math.ceil(plan.series.length / 2)));
    queue.push({ sel: q.selector, label: whole?.label ?? '', values: whole ? whole.values.flat() : [] });
  }
  const span = q.endMs - q.startMs;
  const firstWidth = q.stepMs !== null ? Math.min(span, (pointsLimit - 1) * q.stepMs) : span / Math.max(1, Math.ceil((shardSeries * plan.samplesPerSeries) / SAMPLES_PER_REQUEST));
  // Raw reads ask for the next shard's first window while this shard's series go to the workers, so
  // the server evaluates and encodes it meanwhile (Prometheus: ~30 MB of JSON a shard; asked one after
  // the other, the reader waited for each). A refusal or failure comes out where it is awaited, in order.
  const rangeQuery = (sel: string, a: number, b: number) =>
    c.json('api/v1/query', [['query', `${sel}[${Math.max(1, Math.round(b - a))}ms]`], ['time', sec(b)]], { form: true, scan: scanMatrixAnswer });
  let ahead: { key: string; answer: ReturnType<typeof rangeQuery> } | null = null;
  const askAhead = (sel: string, a: number, b: number) => {
    const answer = rangeQuery(sel, a, b);
    answer.catch(() => {}); // awaited (and thrown) when its shard is read
    ahead = { key: `${sel}\n${a}\n${b}`, answer };
  };
  const ask = (sel: string, a: number, b: number) => {
    const mine = ahead?.key === `${sel}\n${a}\n${b}` ? ahead.answer : null;
    ahead = null;
    return mine ?? rangeQuery(sel, a, b);
  };
  const selects = selectorTest(q.selector);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const sel = next.sel;
    const got = new Map<string, FleetSeries>();
    // Each series an answer holds is one the shard's selector selects, sent once in that answer.
    const shardValues = next.label ? new Set(next.values) : null, shardLabel = next.label;
    const seriesOf = (metric: Record<string, string>, inAnswer: Set<string>) => {
      notSelected(c, metric, sel, selects(metric) ?? (shardValues && !shardValues.has(metric[shardLabel] ?? '') && sel !== q.selector ? `one of the ${shardLabel} values asked for` : null));
      const key = seriesKey(metric);
      if (inAnswer.has(key)) throw sentTwice(c, metric, `one answer to \`${escapeControl(sel)}\``);
      inAnswer.add(key);
      let f = got.get(key);
      if (!f) got.set(key, (f = { labels: metric, buckets: new SeriesBuckets(plan.grid) }));
      return f;
    };
    const take = (result: { metric: Record<string, string>; values: [number, string][] }[]) => {
      const inAnswer = new Set<string>();
      for (const s of result) {
        const f = seriesOf(s.metric, inAnswer);
        const name = describeSeries(s.metric);
        for (const [t, text] of s.values) {
          const v = sampleValue(c.base, name, text), fit = f.buckets.add(t * 1000, v);
          if (fit !== ADDED) throw unfit(c, name, fit, t * 1000, v, f.buckets);
        }
      }
    };
    // The same, from the byte scanner (its values already checked as sampleValue checks them).
    const takeScanned = (m: ScannedMatrix) => {
      const inAnswer = new Set<string>();
      for (const s of m.series) {
        const f = seriesOf(checkLabels(c.base, s.metric), inAnswer);
        for (let k = 0; k < s.t.length; k++) {
          const fit = f.buckets.add(s.t[k]! * 1000, s.v[k]!);
          if (fit !== ADDED) throw unfit(c, describeSeries(f.labels), fit, s.t[k]! * 1000, s.v[k]!, f.buckets);
        }
      }
    };
    let width = q.stepMs !== null ? Math.min(span, (pointsLimit - 1) * q.stepMs) : firstWidth;
    const read = async (a: number, b: number): Promise<void> => {
      try {
        const what = `\`${sel}\``;
        const r = q.stepMs === null
          ? await ask(sel, a, b)
          : await c.json('api/v1/query_range', [['query', sel], ['start', sec(a)], ['end', sec(b)], ['step', `${q.stepMs / 1000}`]], { form: true, scan: scanMatrixAnswer });
        if (r!.body instanceof ScannedMatrix) return takeScanned(r!.body);
        take(matrixOf(c.base, what, answerData(c.base, what, r!.status, r!.body), () => usageError(`--query must be a series selector (no functions or operators), got \`${q.selector}\``)));
      } catch (e) {
        if (!(e instanceof TooBig)) throw e;
        if (e.limit.kind === 'series') throw new SeriesLimit(inputError(`${c.base} refuses \`${sel}\` for its number of series: ${e.message}; narrow --query`));
        if (e.limit.kind === 'points' && e.limit.value && q.stepMs !== null) pointsLimit = Math.min(pointsLimit, e.limit.value);
        const minimum = q.stepMs === null ? 2000 : 2 * q.stepMs;
        if (b - a < minimum) throw inputError(`${c.base} refuses even a ${Math.round((b - a) / 1000)} s window of \`${sel}\`: ${e.message}; narrow --query`);
        const mid = q.stepMs === null ? a + (b - a) / 2 : a + Math.floor((b - a) / 2 / q.stepMs) * q.stepMs;
        await read(a, mid);
        await read(q.stepMs === null ? mid : mid + q.stepMs, b);
      }
    };
    let refused = false;
    for (let a = q.startMs; a < q.endMs || (a === q.startMs && a === q.endMs); ) {
      const b = Math.min(q.endMs, a + width);
      try {
        await read(a, b);
      } catch (e) {
        if (!(e instanceof SeriesLimit) || next.values.length < 2) throw e instanceof SeriesLimit ? e.error : e;
        const half = Math.ceil(next.values.length / 2);
        queue.unshift(shard(next.label, next.values.slice(0, half)), shard(next.label, next.values.slice(half)));
        refused = true;
        break;
      }
      a = q.stepMs === null ? b : b + q.stepMs;
      if (q.stepMs !== null) width = Math.min(width, (pointsLimit - 1) * q.stepMs);
    }
    if (refused) continue;
    if (q.stepMs === null && queue.length > 0) askAhead(queue[0]!.sel, q.startMs, Math.min(q.endMs, q.startMs + firstWidth));
    for (const f of got.values()) yield { labels: f.labels, buckets: f.buckets.finish() };
  }
}

/** A shard refused for its number of series: split it (or, for one value, give `error`). */
class SeriesLimit extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

export function noSeries(base: string, q: FleetQuery) {
  return notFoundError(`no series match \`${q.selector}\` at ${base} in the ${Math.round((q.endMs - q.startMs) / 60000)} min before ${new Date(q.endMs).toISOString()}; check the selector in the server's graph page, or widen --since`);
}
