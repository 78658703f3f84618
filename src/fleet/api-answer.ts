// What a Prometheus-API answer must look like before it is believed: the envelope, the result's type,
// each series' labels (strings) and samples ([time, "value"], the value a finite, non-negative
// number: memory is never negative, and NaN or ±Inf is no reading). And what a refusal says about
// the server's limits (points per series, samples or series per query), parsed from its words.
import { inputError, usageError } from '../errors.js';
import { escapeControl } from '../text/escape.js';

/** A refusal the reader may answer by asking for less: smaller windows or fewer series. */
export class TooBig extends Error {
  constructor(message: string, readonly limit: ServerLimit) {
    super(message);
  }
}

/** A limit a server named in its refusal. */
export interface ServerLimit {
  kind: 'points' | 'samples' | 'series' | 'time';
  /** The number it named (points per series, samples or series per query), when it named one. */
  value: number | null;
}

const num = (s: string | undefined): number | null => (s === undefined ? null : Number(s.replace(/,/g, '')));

/** The limit a refusal names, or null when it is not about size. */
export function parseLimit(msg: string): ServerLimit | null {
  let m: RegExpMatchArray | null;
  // Prometheus, Thanos, Mimir: "exceeded maximum resolution of 11,000 points per timeseries".
  if ((m = msg.match(/maximum resolution of ([\d,]+) points/i))) return { kind: 'points', value: num(m[1]) };
  // VictoriaMetrics: "…: 86401; cannot exceed -search.maxPointsPerTimeseries=30000".
  if ((m = msg.match(/maxPointsPerTimeseries=(\d+)/))) return { kind: 'points', value: num(m[1]) };
  if ((m = msg.match(/maxSamplesPerQuery=(\d+)/)) || (m = msg.match(/maxSamplesPerSeries=(\d+)/))) return { kind: 'samples', value: num(m[1]) };
  if ((m = msg.match(/maxSeries=(\d+)/)) || (m = msg.match(/maxUniqueTimeseries=(\d+)/)) || (m = msg.match(/(?:number of matching timeseries|series) exceeds ([\d,]+)/i))) return { kind: 'series', value: num(m[1]) };
  if (/too many samples|max-samples|maximum number of samples|exceeded the limit of \d+ samples/i.test(msg)) return { kind: 'samples', value: num(msg.match(/limit of ([\d,]+) samples/)?.[1]) };
  if (/max(imum)? (number of )?series|too many (time)?series|series limit/i.test(msg)) return { kind: 'series', value: num(msg.match(/limit of ([\d,]+)/)?.[1]) };
  if (/query timed out|timeout|deadline exceeded|context canceled/i.test(msg)) return { kind: 'time', value: null };
  return null;
}

/** The `data` of a success answer; TooBig for a refusal over size; LeakErrors otherwise. */
export function answerData(server: string, what: string, status: number, body: unknown): unknown {
  const b = body as { status?: unknown; data?: unknown; error?: unknown; errorType?: unknown } | null;
  if (b === null || typeof b !== 'object' || (b.status !== 'success' && b.status !== 'error')) {
    throw inputError(`${server} did not answer ${what} as the Prometheus API does (HTTP ${status}); give the server's base URL, e.g. http://prometheus:9090`);
  }
  if (b.status === 'success') return b.data;
  const msg = escapeControl(typeof b.error === 'string' ? b.error.slice(0, 400) : `HTTP ${status}`);
  const limit = parseLimit(msg);
  if (limit || status === 503) throw new TooBig(msg, limit ?? { kind: 'time', value: null });
  if (b.errorType === 'bad_data') throw usageError(`${server} rejected ${what}: ${msg}`);
  throw inputError(`${server} answered an error for ${what}: ${msg}`);
}

/** One series as the API returns it. */
export interface ApiSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** A label set: an object of strings. */
export function checkLabels(server: string, m: unknown): Record<string, string> {
  if (m === null || typeof m !== 'object' || Array.isArray(m) || Object.values(m).some((v) => typeof v !== 'string')) {
    throw inputError(`${server} sent a series whose labels are not name → string (${escapeControl(preview(m))}); that is not a Prometheus API answer`);
  }
  return m as Record<string, string>;
}

/** The start of a server's value as JSON, for a refusal; a value nested too deep for JSON.stringify (its stack) is named, not shown. */
function preview(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 80) ?? String(v);
  } catch {
    return `${Array.isArray(v) ? 'a list' : typeof v} nested too deep to show`;
  }
}

/** `data` of a range-vector instant query (matrix) or of query_range: the series, shape-checked. */
export function matrixOf(server: string, what: string, data: unknown, notSelector: () => Error): ApiSeries[] {
  const d = data as { resultType?: unknown; result?: unknown } | null;
  if (d === null || typeof d !== 'object' || typeof d.resultType !== 'string') throw inputError(`${server} answered ${what} without a result type; that is not a Prometheus API answer`);
  if (d.resultType !== 'matrix') throw notSelector();
  if (!Array.isArray(d.result)) throw inputError(`${server} answered ${what} with a result that is not a list (${typeof d.result}); that is not a Prometheus API answer`);
  for (const s of d.result as { metric?: unknown; values?: unknown }[]) {
    if (s === null || typeof s !== 'object') throw inputError(`${server} answered ${what} with a series that is not an object`);
    checkLabels(server, s.metric);
    if (!Array.isArray(s.values) || s.values.some((v) => !Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'string')) {
      throw inputError(`${server} answered ${what} with samples that are not [time, "value"] pairs; that is not a Prometheus API answer`);
    }
  }
  return d.result as ApiSeries[];
}

/** A sample's value in the series' unit: a finite number ≥ 0, or a LeakError naming the series. */
export function sampleValue(server: string, series: string, text: string | number): number {
  const v = typeof text === 'number' ? text : text.trim() === '' ? NaN : Number(text);
  if (Number.isFinite(v) && v >= 0) return v;
  const t = String(text).trim();
  const why = /^[+-]?inf(inity)?$/i.test(t) || (!Number.isNaN(v) && !Number.isFinite(v)) ? 'infinite' : /^nan$/i.test(t) ? 'NaN' : Number.isNaN(v) ? 'non-numeric' : 'negative';
  throw inputError(`${server} sent ${why} sample ${escapeControl(JSON.stringify(text).slice(0, 40))} for ${escapeControl(series)}; a memory series holds sizes ≥ 0: check the --query selects a memory gauge`);
}
