// One line of VictoriaMetrics' bulk export (`{"metric":{…},"values":[…],"timestamps":[…]}`), read
// from its bytes: the label object by JSON.parse, the two number arrays scanned in place into typed
// arrays. JSON.parse of the whole line (after decoding 140 KB of digits to a string) made 11,520
// boxed numbers per 24 h series and was most of the reader's CPU (bench/README.md §6). A line in any
// other shape (another key order, spaces, null, strings, a number JSON does not allow) is handed to
// JSON.parse whole, as before: the same values, or the same error.
import { bytesAt, CLOSE, CLOSE_ARRAY, COMMA, Numbers, objectEnd, scanNumber } from './json-bytes.js';

/** A parsed line: `values` and `timestamps` are typed arrays on the fast path (valid until the next call). */
export interface ExportRow {
  metric?: unknown;
  values?: unknown;
  timestamps?: unknown;
}

const HEAD = Buffer.from('{"metric":');
const VALUES = Buffer.from(',"values":[');
const TIMESTAMPS = Buffer.from(',"timestamps":[');

/** Reused from line to line: a series' numbers are copied out (into buckets) before the next line. */
const values = new Numbers();
const times = new Numbers();

/** Parse one export line; throws SyntaxError (from JSON.parse) for a line that is not JSON. */
export function parseExportLine(line: Buffer): ExportRow {
  return fastParse(line) ?? (JSON.parse(line.toString('utf8')) as ExportRow);
}

function fastParse(b: Buffer): ExportRow | null {
  if (!bytesAt(b, 0, HEAD)) return null;
  const metricEnd = objectEnd(b, HEAD.length);
  if (metricEnd < 0 || !bytesAt(b, metricEnd, VALUES)) return null;
  const afterValues = list(b, metricEnd + VALUES.length, values);
  if (afterValues < 0 || !bytesAt(b, afterValues, TIMESTAMPS)) return null;
  const end = list(b, afterValues + TIMESTAMPS.length, times);
  if (end !== b.length - 1 || b[end] !== CLOSE) return null;
  let metric: unknown;
  try {
    metric = JSON.parse(b.toString('utf8', HEAD.length, metricEnd));
  } catch {
    return null; // JSON.parse of the whole line gives the error
  }
  return { metric, values: values.view(), timestamps: times.view() };
}

/** The numbers from `at` to the closing bracket into `out`; the index after the bracket, or -1. */
function list(b: Buffer, at: number, out: Numbers): number {
  out.count = 0;
  if (b[at] === CLOSE_ARRAY) return at + 1;
  for (let i = at; ; ) {
    i = scanNumber(b, i, out);
    if (i < 0) return -1;
    if (b[i] === CLOSE_ARRAY) return i + 1;
    if (b[i] !== COMMA) return -1;
    i++;
  }
}
