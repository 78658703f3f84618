// Trace files row by row, never whole: a 2-million-row CSV held as one string and then as arrays of
// strings peaked at 1.3 GB. Lines are read 1 MiB at a time (synchronously: the report pipeline is
// synchronous end to end), parsed and validated one by one, and handed to a callback.
import { closeSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { inputError } from '../errors.js';
import { openInputFile } from '../open-input.js';
import { escapeControl } from '../text/escape.js';
import { MiB } from '../units.js';

/** Column order of TraceRow.v: the five metrics in bytes, then CPU %. */
export const TRACE_METRICS = ['rss', 'uss', 'pss', 'swap', 'vram'] as const;
const METRIC_COLUMNS = ['rss_bytes', 'uss_bytes', 'pss_bytes', 'swap_bytes', 'vram_bytes'] as const;
const PSRECORD_HEADER = /^#\s*Elapsed time\s+CPU \(%\)\s+Real \(MB\)\s+Virtual \(MB\)/;
/** No process has a petabyte: a bigger "size" is a unit mix-up or corruption, not memory. */
const MAX_BYTES = 2 ** 50;
/** The longest line read: a trace's lines are tens of bytes, a wide CSV's a few KB. */
const MAX_LINE = MiB;
/** Past ~3,000 years of seconds, t_s is not seconds (epoch milliseconds look like this). */
const MAX_T_S = 1e11;

/** One validated sample. `v`: rss, uss, pss, swap, vram (bytes) and cpu (%), null where absent. */
export interface TraceRow {
  line: number;
  pid: number;
  t_ms: number;
  v: (number | null)[];
  /** From an optional `name` column (the process name), else undefined. */
  name?: string;
}

export type TraceFormat = 'csv' | 'psrecord';

/** A last line with no newline, left out: its number and its first 80 characters (escaped). */
export interface CutLine {
  line: number;
  text: string;
}

/**
 * Call `onLine` for each line of a file, decoded as UTF-8, 1 MiB read at a time; stops after `maxLines`.
 * Only a regular file is read (open-input.ts), and no further than its size when opened. A last line
 * with no newline is never believed: a file cut short, or still being written (a psrecord log of a
 * running job), ends mid-line, and `123` may be the first digits of `1234567`. It is left out and
 * returned as `cut`, for the caller to say so; every complete line before it is read as usual.
 */
export function forEachLine(file: string, onLine: (text: string, line: number) => void, maxLines = Infinity): { lines: number; cut: CutLine | null } {
  const { fd, size } = openInputFile(file, 'trace');
  const buf = Buffer.allocUnsafe(MiB);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let line = 0;
  let left = size;
  try {
    for (;;) {
      let n: number;
      try {
        n = left > 0 ? readSync(fd, buf, 0, Math.min(buf.length, left), null) : 0;
      } catch (e) {
        throw inputError(`cannot read trace ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, e);
      }
      left -= n;
      const text = n > 0 ? carry + decoder.write(buf.subarray(0, n)) : carry + decoder.end();
      const parts = text.split('\n');
      carry = n > 0 ? parts.pop()! : '';
      if (n === 0 && parts.length === 1 && parts[0] === '') parts.pop(); // the file ended with a newline
      for (let i = 0; i < parts.length; i++) {
        if (line >= maxLines) return { lines: line, cut: null };
        const p = parts[i]!;
        if (n === 0 && p.trim() !== '') return { lines: line, cut: { line: line + 1, text: escapeControl(p.slice(0, 80)) } };
        onLine(p.endsWith('\r') ? p.slice(0, -1) : p, ++line);
      }
      if (n === 0) return { lines: line, cut: null };
      // A line still open past MAX_LINE is no trace's: gluing and splitting ever more of it is quadratic
      // (a 300 MB line of digits or NULs kept a reader busy for minutes) and holds it all in memory.
      if (carry.length > MAX_LINE) {
        throw inputError(`${file}: line ${line + 1} is over 1 MiB long: not a line of a trace (a binary or corrupt file?); pass a trace CSV or a psrecord log`);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Read a trace's rows in file order (CSV per DESIGN.md §2, or psrecord's plain log). Throws on a bad line. */
export function forEachTraceRow(
  file: string,
  onRow: (row: TraceRow) => void,
  maxLines = Infinity,
): { format: TraceFormat; hasPid: boolean; lines: number; cut: CutLine | null } {
  let parseLine: ((text: string, line: number) => void) | null = null;
  let format: TraceFormat = 'csv';
  let hasPid = false;
  const lastT = new Map<number, number>();
  const emit = (row: TraceRow, t_s: number): void => {
    const prev = lastT.get(row.pid);
    if (prev !== undefined && row.t_ms <= prev) {
      const what = row.t_ms < prev ? 'goes backwards' : 'repeats';
      throw inputError(
        `${file}: line ${row.line}: t_s ${what} (${t_s} after ${prev / 1000}${hasPid ? ` for pid ${row.pid}` : ''}); ` +
          `each process's samples must be in time order, one per time; sort the file by t_s`,
      );
    }
    lastT.set(row.pid, row.t_ms);
    onRow(row);
  };
  const { lines, cut } = forEachLine(
    file,
    (text, line) => {
      if (parseLine) return parseLine(text, line);
      if (text.trim() === '') return;
      if (PSRECORD_HEADER.test(text)) {
        format = 'psrecord';
        parseLine = psrecordParser(file, emit);
      } else {
        const p = csvParser(file, text, emit);
        hasPid = p.hasPid;
        parseLine = p.parse;
      }
    },
    maxLines,
  );
  if (!parseLine && cut) {
    throw inputError(`${file}: its only line has no newline at its end (still being written?), so it is not read; wait for its writer, or end the file with a newline`);
  }
  if (!parseLine) throw inputError(`${file} is empty; expected a header such as t_s,uss_bytes`);
  return { format, hasPid, lines, cut };
}

function csvParser(file: string, header: string, emit: (r: TraceRow, t_s: number) => void) {
  const names = splitCsv(header).map((h) => h.toLowerCase());
  // A column named twice has no one meaning: reading the first would judge whichever the writer did not mean.
  const known = new Set<string>(['t_s', 'pid', 'name', ...METRIC_COLUMNS]);
  const twice = names.find((n, i) => known.has(n) && names.indexOf(n) !== i);
  if (twice !== undefined) throw inputError(`${file}: line 1: column ${twice} appears more than once in the header \`${header}\`; keep one`);
  const tCol = names.indexOf('t_s');
  const pidCol = names.indexOf('pid');
  const nameCol = names.indexOf('name');
  const metricCols = METRIC_COLUMNS.map((m) => names.indexOf(m));
  if (tCol < 0 || metricCols.every((i) => i < 0)) {
    throw inputError(`${file}: line 1: header must have t_s and at least one of ${METRIC_COLUMNS.join(', ')}; got \`${header}\``);
  }
  const parse = (text: string, line: number): void => {
    if (text.trim() === '') return;
    const f = splitCsv(text);
    if (f.length !== names.length) {
      throw inputError(`${file}: line ${line}: expected ${names.length} fields as in the header, got ${f.length}: \`${text}\``);
    }
    const t = readTime(file, line, f[tCol]!, 't_s');
    const pid = pidCol >= 0 ? readPid(file, line, f[pidCol]!) : 0;
    const v: (number | null)[] = metricCols.map((i, k) => (i < 0 ? null : readBytes(file, line, f[i]!, METRIC_COLUMNS[k]!, 1)));
    v.push(null);
    const name = nameCol >= 0 && f[nameCol] !== '' ? f[nameCol] : undefined;
    emit({ line, pid, t_ms: t * 1000, v, name }, t);
  };
  return { parse, hasPid: pidCol >= 0 };
}

function psrecordParser(file: string, emit: (r: TraceRow, t_s: number) => void) {
  return (text: string, line: number): void => {
    const s = text.trim();
    if (s === '') return;
    const parts = s.split(/\s+/);
    if (parts.length < 4 || parts.some((p) => !Number.isFinite(decimal(p)))) {
      throw inputError(`${file}: line ${line}: expected 4 numbers (elapsed, CPU %, Real MB, Virtual MB), got \`${s}\``);
    }
    const t = readTime(file, line, parts[0]!, 'elapsed time');
    const rss = readBytes(file, line, parts[2]!, 'Real (MB)', MiB)!;
    const cpu = decimal(parts[1]!);
    emit({ line, pid: 0, t_ms: t * 1000, v: [Math.round(rss), null, null, null, null, cpu] }, t);
  };
}

/** Fields of one CSV line: comma-separated, trimmed, surrounding double quotes removed. */
function splitCsv(text: string): string[] {
  return text.split(',').map((s) => {
    const t = s.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

/**
 * A plain decimal number (sign, digits, point, exponent), else NaN. Number() alone also takes `0x1f`,
 * `0b1`, `0o7`, `Infinity` and surrounding blanks: none of them is what a trace writer means.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
function decimal(s: string): number {
  return DECIMAL.test(s) ? Number(s) : NaN;
}

function readTime(file: string, line: number, s: string, what: string): number {
  const n = decimal(s);
  if (!Number.isFinite(n) || n < 0) {
    throw inputError(`${file}: line ${line}: ${what} must be a non-negative number of seconds, got \`${s}\``);
  }
  if (n > MAX_T_S) {
    throw inputError(`${file}: line ${line}: ${what} = ${s} is not a time in seconds (over 3,000 years); write seconds since the start, not milliseconds`);
  }
  return n;
}

function readPid(file: string, line: number, s: string): number {
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31) {
    throw inputError(`${file}: line ${line}: pid must be a non-negative whole number, got \`${s}\``);
  }
  return n;
}

/** A size cell: empty = not read; otherwise finite, ≥ 0 and below a petabyte, in bytes once scaled. */
function readBytes(file: string, line: number, s: string, what: string, scale: number): number | null {
  if (s === '' && scale === 1) return null;
  const n = decimal(s);
  if (!Number.isFinite(n) || n < 0) throw inputError(`${file}: line ${line}: ${what} must be a non-negative number, got \`${s}\``);
  if (n * scale > MAX_BYTES) {
    throw inputError(`${file}: line ${line}: ${what} = ${s} is more than a petabyte, not a memory size; check the column's unit${scale === 1 ? ' (bytes)' : ' (MiB)'}`);
  }
  return n * scale;
}
