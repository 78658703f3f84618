// The byte level of the snapshot parser: a file read once in fixed chunks, and the JSON pieces a
// heap snapshot is made of (keys, strings, skipped values, unsigned integers). Every token may be split
// across two chunks; the state of a half-read number or string carries over to the next chunk.
import { readSync } from 'node:fs';
import { inputError } from '../../errors.js';

export const DEFAULT_CHUNK = 1024 * 1024;

export class ChunkReader {
  protected buf: Buffer;
  protected len = 0;
  protected pos = 0;
  private eof = false;
  /** Bytes left to read: no more than the file held when opened (a file appended to forever ends here). */
  private left: number;
  constructor(private readonly fd: number, protected readonly file: string, private readonly chunk = DEFAULT_CHUNK, limit = Infinity) {
    this.buf = Buffer.allocUnsafe(chunk);
    this.left = limit;
  }

  /** Read the next chunk; false at end of file. */
  protected fill(): boolean {
    if (this.eof) return false;
    this.len = this.left > 0 ? readSync(this.fd, this.buf, 0, Math.min(this.chunk, this.left), null) : 0;
    this.left -= this.len;
    this.pos = 0;
    if (this.len === 0) this.eof = true;
    return this.len > 0;
  }

  /** An input error (exit 2) naming the file and what is wrong with it. */
  bad(what: string): never {
    throw inputError(`${this.file} is not a complete V8 heap snapshot: ${what}; take it again, or check the file was fully written`);
  }

  /** Next non-whitespace byte, consumed; -1 at end of file. */
  protected nextToken(): number {
    for (;;) {
      while (this.pos < this.len) {
        const c = this.buf[this.pos++]!;
        if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
      }
      if (!this.fill()) return -1;
    }
  }

  /** After the opening quote: read a JSON string (keys and strings-table entries). */
  protected readString(): string {
    let parts: Buffer[] | null = null;
    let escaped = false, hasEscape = false;
    for (;;) {
      const buf = this.buf, len = this.len, start = this.pos;
      let i = start;
      for (; i < len; i++) {
        const c = buf[i]!;
        if (escaped) escaped = false;
        else if (c === 0x5c) (escaped = true), (hasEscape = true);
        else if (c === 0x22) break;
      }
      if (i < len) {
        this.pos = i + 1;
        // Most strings lie inside one chunk: decoded straight from it, no copy.
        const text = parts === null ? buf.toString('utf8', start, i) : Buffer.concat([...parts, buf.subarray(start, i)]).toString('utf8');
        if (!hasEscape) return text;
        try {
          return JSON.parse(`"${text}"`) as string;
        } catch {
          this.bad(`invalid escape in the string ${JSON.stringify(text.slice(0, 40))}`);
        }
      }
      (parts ??= []).push(Buffer.from(buf.subarray(start, len))); // the chunk is about to be overwritten
      if (!this.fill()) this.bad('a string never ends');
    }
  }

  /** After the opening quote: null for a string of digits only (not built), else the string. */
  protected readUnlessDigits(): string | null {
    let digits = ''; // digits already passed in earlier chunks
    for (;;) {
      const buf = this.buf, len = this.len, start = this.pos;
      let i = start;
      while (i < len && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
      if (i < len) {
        if (buf[i] === 0x22 && (i > start || digits !== '')) {
          this.pos = i + 1;
          return null;
        }
        return digits + this.readString(); // not only digits: the rest read as usual, from `start`
      }
      digits += buf.toString('latin1', start, len);
      if (!this.fill()) this.bad('a string never ends');
    }
  }

  /** After the opening quote: pass over a JSON string without building it (its escapes still checked). */
  protected skipString(): void {
    let escaped = false;
    let hex = 0; // hex digits still due after \u
    for (;;) {
      const buf = this.buf, len = this.len;
      let i = this.pos;
      // The common case first: no escape pending, scan for the closing quote or a backslash.
      if (!escaped && hex === 0) {
        while (i < len) {
          const c = buf[i]!;
          if (c === 0x22) {
            this.pos = i + 1;
            return;
          }
          if (c === 0x5c) break;
          i++;
        }
      }
      for (; i < len; i++) {
        const c = buf[i]!;
        if (hex > 0) {
          if (!isHexDigit(c)) this.bad('invalid \\u escape in the strings table');
          hex--;
        } else if (escaped) {
          escaped = false;
          if (c === 0x75) hex = 4;
          else if (!VALID_ESCAPES.has(c)) this.bad(`invalid escape \\${String.fromCharCode(c)} in the strings table`);
        } else if (c === 0x5c) escaped = true;
        else if (c === 0x22) {
          this.pos = i + 1;
          return;
        }
      }
      if (!this.fill()) this.bad('a string never ends');
    }
  }

  /** After the ':' of a key: the next value as raw text (objects/arrays balanced); discarded if `skip`. */
  protected readRawValue(skip = false): string {
    const out: Buffer[] = [];
    let depth = 0, inStr = false, esc = false, started = false;
    for (;;) {
      if (this.pos >= this.len && !this.fill()) this.bad('a value never ends');
      const start = this.pos;
      let i = this.pos;
      let done = false;
      for (; i < this.len; i++) {
        const c = this.buf[i]!;
        if (inStr) {
          if (esc) esc = false;
          else if (c === 0x5c) esc = true;
          else if (c === 0x22) inStr = false;
          continue;
        }
        if (c === 0x22) (inStr = true), (started = true);
        else if (c === 0x7b || c === 0x5b) (depth++, (started = true));
        else if (c === 0x7d || c === 0x5d) {
          if (depth === 0) { done = true; break; } // the enclosing object's end: a scalar value ended
          depth--;
          if (depth === 0) { i++; done = true; break; }
        } else if (c === 0x2c && depth === 0 && started) { done = true; break; }
        else if (c > 0x20) started = true;
      }
      if (!skip) out.push(Buffer.from(this.buf.subarray(start, i)));
      this.pos = i;
      if (done) return skip ? '' : Buffer.concat(out).toString('utf8');
    }
  }

  /**
   * After the ':' of a smaller numeric array (locations, samples): rows of `stride` numbers, each to
   * `take` (the row array is reused). Heap snapshots hold unsigned integers only: a sign, a fraction
   * or an exponent is refused.
   */
  protected readRows(stride: number, take: (row: Float64Array) => void): number {
    if (this.nextToken() !== 0x5b) this.bad('a numeric array does not start with [');
    const row = new Float64Array(stride);
    let count = 0, cur = 0, inNum = false, k = 0;
    for (;;) {
      const buf = this.buf, len = this.len;
      let i = this.pos;
      for (; i < len; i++) {
        const c = buf[i]!;
        if (c >= 0x30 && c <= 0x39) (cur = cur * 10 + (c - 0x30)), (inNum = true);
        else if (c === 0x2c || c === 0x5d) {
          if (inNum) {
            row[k++] = cur;
            count++;
            if (k === stride) (k = 0), take(row);
          } else if (c === 0x2c || count > 0) this.bad('an empty entry in a numeric array');
          (cur = 0), (inNum = false);
          if (c === 0x5d) {
            this.pos = i + 1;
            if (k !== 0) this.bad(`a numeric array of rows of ${stride} ends inside a row`);
            return count;
          }
        } else if (c !== 0x0a && c !== 0x20 && c !== 0x0d && c !== 0x09) this.notANumber(c, i);
      }
      this.pos = len;
      if (!this.fill()) this.bad('the file ends inside a numeric array (truncated?)');
    }
  }

  protected notANumber(c: number, at: number): never {
    this.pos = at;
    this.bad(`unexpected ${JSON.stringify(String.fromCharCode(c))} in a numeric array (heap snapshots hold unsigned integers only)`);
  }
}

/** The characters JSON allows after a backslash (u is handled apart): " \ / b f n r t. */
const VALID_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const isHexDigit = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
