// A small client for the Prometheus HTTP API (/api/v1/query, /api/v1/query_range): raw samples of
// every series a selector matches, fetched in windows small enough for the server's limits.
import { inputError, notFoundError, usageError } from '../errors.js';

/** One series as the API returns it: its label set and [seconds, "value"] pairs in time order. */
export interface ApiSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

interface ApiAnswer {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown[] };
  errorType?: string;
  error?: string;
}

/** Samples we ask for per request: a response stays tens of MB, well under the default 50 M-sample limit. */
export const SAMPLES_PER_REQUEST = 500_000;
/** query_range answers at most 11,000 points per series. */
const POINTS_PER_RANGE_QUERY = 10_000;
const REQUEST_TIMEOUT_MS = 120_000;

/** A too-big answer that the caller may split (the server's --query.max-samples, or its timeout). */
class TooBig extends Error {}

/** GET an API path; LeakErrors for an unreachable server, a rejected query, an answer that is not the API's. */
async function get(base: string, path: string, params: Record<string, string>): Promise<ApiAnswer['data']> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), headers: { Accept: 'application/json' } });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw notFoundError(`cannot reach Prometheus at ${base} (${cause}); check the URL given to --prometheus`, e);
  }
  let body: ApiAnswer;
  try {
    body = (await res.json()) as ApiAnswer;
  } catch (e) {
    throw inputError(`${url.origin}${url.pathname} did not answer as the Prometheus API does (HTTP ${res.status}); give the server's base URL, e.g. http://prometheus:9090`, e);
  }
  if (body.status === 'success' && body.data) return body.data;
  const msg = body.error ?? `HTTP ${res.status}`;
  if (/too many samples|query timed out|exceeded maximum resolution/i.test(msg) || res.status === 503) throw new TooBig(msg);
  if (body.errorType === 'bad_data') throw usageError(`Prometheus rejected the query \`${params.query}\`: ${msg}`);
  throw inputError(`Prometheus answered an error for \`${params.query}\`: ${msg}`);
}

/** Format milliseconds as a PromQL duration. */
const promDuration = (ms: number): string => `${Math.max(1, Math.round(ms))}ms`;
const promTime = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * Per-series sample counts in the window: how big the raw read will be, before reading it. Null when
 * the server refuses even to count them (then the read starts with hour-long windows).
 */
export async function countSamples(base: string, selector: string, startMs: number, endMs: number): Promise<number[] | null> {
  let data: ApiAnswer['data'];
  try {
    data = await get(base, 'api/v1/query', { query: `count_over_time(${selector}[${promDuration(endMs - startMs)}])`, time: promTime(endMs) });
  } catch (e) {
    if (e instanceof TooBig) return null;
    throw e;
  }
  if (!data || data.resultType !== 'vector') throw usageError(`--query must be a series selector such as 'container_memory_working_set_bytes{namespace="train"}', got \`${selector}\``);
  return (data.result as { value: [number, string] }[]).map((r) => Number(r.value[1]));
}

/**
 * Raw samples of every matching series in (startMs, endMs]: range-vector instant queries
 * `SELECTOR[window]` evaluated at each window's end, windows sized so one answer stays under
 * SAMPLES_PER_REQUEST, and halved again when the server still refuses one as too big.
 */
export async function fetchRawSeries(base: string, selector: string, startMs: number, endMs: number, expectedSamples: number, onProgress?: (done: number, of: number) => void): Promise<ApiSeries[]> {
  const chunks = Math.max(1, Math.ceil(expectedSamples / SAMPLES_PER_REQUEST));
  const width = (endMs - startMs) / chunks;
  const merged = new Map<string, ApiSeries>();
  const take = (result: ApiSeries[]) => {
    for (const s of result) {
      const key = seriesKey(s.metric);
      const have = merged.get(key);
      if (!have) merged.set(key, { metric: s.metric, values: s.values.map((v) => [Number(v[0]), v[1]]) });
      else {
        // Windows touch at their edges (Prometheus 2 includes both ends): keep each timestamp once.
        const last = have.values.length ? have.values[have.values.length - 1]![0] : -Infinity;
        for (const v of s.values) if (Number(v[0]) > last) have.values.push([Number(v[0]), v[1]]);
      }
    }
  };
  const readWindow = async (a: number, b: number): Promise<void> => {
    try {
      const data = await get(base, 'api/v1/query', { query: `${selector}[${promDuration(b - a)}]`, time: promTime(b) });
      if (!data || data.resultType !== 'matrix') throw usageError(`--query must be a series selector (no functions or operators), got \`${selector}\``);
      take(data.result as ApiSeries[]);
    } catch (e) {
      if (!(e instanceof TooBig) || b - a < 2000) {
        if (e instanceof TooBig) throw inputError(`Prometheus refuses even a 2 s window of \`${selector}\`: ${e.message}`);
        throw e;
      }
      const mid = a + (b - a) / 2;
      await readWindow(a, mid);
      await readWindow(mid, b);
    }
  };
  for (let i = 0; i < chunks; i++) {
    await readWindow(startMs + i * width, i === chunks - 1 ? endMs : startMs + (i + 1) * width);
    onProgress?.(i + 1, chunks);
  }
  return [...merged.values()];
}

/** Evaluated points every `stepMs` (query_range), in requests of at most 10,000 steps, halved when refused as too big. */
export async function fetchSteppedSeries(base: string, selector: string, startMs: number, endMs: number, stepMs: number): Promise<ApiSeries[]> {
  const merged = new Map<string, ApiSeries>();
  const readRange = async (a: number, b: number): Promise<void> => {
    let data: ApiAnswer['data'];
    try {
      data = await get(base, 'api/v1/query_range', { query: selector, start: promTime(a), end: promTime(b), step: `${stepMs / 1000}` });
    } catch (e) {
      if (!(e instanceof TooBig)) throw e;
      const steps = Math.floor((b - a) / stepMs);
      if (steps < 2) throw inputError(`Prometheus refuses \`${selector}\` at --step ${stepMs / 1000}s: ${e.message}; use a narrower --query`);
      const mid = a + Math.floor(steps / 2) * stepMs;
      await readRange(a, mid);
      await readRange(mid + stepMs, b);
      return;
    }
    for (const s of (data?.result ?? []) as ApiSeries[]) {
      const key = seriesKey(s.metric);
      const have = merged.get(key) ?? merged.set(key, { metric: s.metric, values: [] }).get(key)!;
      for (const v of s.values) have.values.push([Number(v[0]), v[1]]);
    }
  };
  for (let a = startMs; a <= endMs; a += POINTS_PER_RANGE_QUERY * stepMs) await readRange(a, Math.min(endMs, a + (POINTS_PER_RANGE_QUERY - 1) * stepMs));
  return [...merged.values()];
}

/** A series' identity: its label set, in a stable order. */
export function seriesKey(metric: Record<string, string>): string {
  return Object.keys(metric).sort().map((k) => `${k}=${JSON.stringify(metric[k])}`).join(',');
}
