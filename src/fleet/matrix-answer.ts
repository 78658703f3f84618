// A matrix answer of Prometheus' query API (a range-vector query or query_range) read from its
// bytes: the envelope and each series' `[time, "value"]` pairs scanned in place into typed arrays,
// the labels by JSON.parse of their object. JSON.parse of a shard's 30 MB answer made a million
// small arrays and strings, most of a Prometheus fleet read's CPU and its peak memory (bench/README.md
// §6). An answer in any other shape, or holding a value the reader would refuse (negative, NaN, Inf,
// not a number), is left to JSON.parse and the checks as before: the same series, or the same error.
import { bytesAt, CLOSE, CLOSE_ARRAY, COMMA, Numbers, objectEnd, OPEN_ARRAY, QUOTE, scanNumber } from './json-bytes.js';

/** One series of a matrix answer, its times (s) and values as numbers. */
export interface MatrixSeries {
  metric: unknown;
  t: Float64Array;
  v: Float64Array;
}

/** A success answer with a matrix, read by the byte scanner (every value a finite number ≥ 0). */
export class ScannedMatrix {
  constructor(readonly series: MatrixSeries[]) {}
}

const HEAD = Buffer.from('{"status":"success","data":{"resultType":"matrix","result":[');
const METRIC = Buffer.from('{"metric":');
const VALUES = Buffer.from(',"values":[');
const TAIL = Buffer.from(']}}');

const times = new Numbers();
const values = new Numbers();

/** The answer's series, or null: then JSON.parse reads it (another shape, or a value to refuse). */
export function scanMatrixAnswer(b: Buffer): ScannedMatrix | null {
  if (!bytesAt(b, 0, HEAD)) return null;
  const series: MatrixSeries[] = [];
  let i = HEAD.length;
  if (b[i] !== CLOSE_ARRAY) {
    for (;;) {
      if (!bytesAt(b, i, METRIC)) return null;
      const metricStart = i + METRIC.length;
      const metricEnd = objectEnd(b, metricStart);
      if (metricEnd < 0 || !bytesAt(b, metricEnd, VALUES)) return null;
      i = pairs(b, metricEnd + VALUES.length);
      if (i < 0 || b[i] !== CLOSE) return null;
      let metric: unknown;
      try {
        metric = JSON.parse(b.toString('utf8', metricStart, metricEnd));
      } catch {
        return null;
      }
      series.push({ metric, t: times.view().slice(), v: values.view().slice() });
      i++;
      if (b[i] === COMMA) i++;
      else if (b[i] === CLOSE_ARRAY) break;
      else return null;
    }
  }
  return bytesAt(b, i, TAIL) && i + TAIL.length === b.length ? new ScannedMatrix(series) : null;
}

/** `[t,"v"],…]` from `at` into times and values; the index after the closing bracket, or -1. */
function pairs(b: Buffer, at: number): number {
  times.count = values.count = 0;
  let i = at;
  if (b[i] === CLOSE_ARRAY) return i + 1;
  for (;;) {
    if (b[i] !== OPEN_ARRAY) return -1;
    i = scanNumber(b, i + 1, times);
    if (i < 0 || b[i] !== COMMA || b[i + 1] !== QUOTE) return -1;
    i = scanNumber(b, i + 2, values);
    if (i < 0 || b[i] !== QUOTE || b[i + 1] !== CLOSE_ARRAY) return -1;
    const v = values.buf[values.count - 1]!;
    if (!(v >= 0) || v === Infinity) return -1; // refused by sampleValue, with its message
    i += 2;
    if (b[i] === CLOSE_ARRAY) return i + 1;
    if (b[i] !== COMMA) return -1;
    i++;
  }
}
