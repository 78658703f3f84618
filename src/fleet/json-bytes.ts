// JSON read from its bytes where a fleet's answers are mostly numbers: a number scanned in place, an
// object's extent found without parsing it. What is not exactly JSON makes these say so (-1), and the
// callers then hand the whole text to JSON.parse: the same values or the same error as before.

export const QUOTE = 0x22, COMMA = 0x2c, OPEN = 0x7b, CLOSE = 0x7d, OPEN_ARRAY = 0x5b, CLOSE_ARRAY = 0x5d;
const BACKSLASH = 0x5c, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e, ZERO = 0x30, NINE = 0x39, E = 0x65, E_UPPER = 0x45;

/**
 * The JSON number at b[i]: its value pushed onto `out`, the index after it returned; -1 where no
 * JSON number starts there or it runs to the end. Integers of up to 15 digits are summed digit by
 * digit (exact); other numbers go through Number() on their text, which rounds as JSON.parse does.
 */
export function scanNumber(b: Uint8Array, i: number, out: Numbers): number {
  // Every read is checked against the end: a read past it is slow in V8, and the text may be cut.
  const n = b.length;
  const start = i;
  if (i >= n) return -1;
  let c = b[i]!;
  const neg = c === MINUS;
  if (neg) {
    if (++i >= n) return -1;
    c = b[i]!;
  }
  let v = 0, digits = 0;
  if (c === ZERO) {
    digits = 1;
    if (++i >= n) return -1;
    c = b[i]!; // a digit after a leading zero is no separator: the caller gives up, and JSON.parse refuses it
  } else {
    while (c >= ZERO && c <= NINE) {
      v = v * 10 + (c - ZERO);
      digits++;
      if (++i >= n) return -1;
      c = b[i]!;
    }
    if (digits === 0) return -1;
  }
  let plain = digits <= 15;
  if (c === DOT) {
    plain = false;
    const d = i + 1;
    do if (++i >= n) return -1;
    while ((c = b[i]!) >= ZERO && c <= NINE);
    if (i === d) return -1;
  }
  if (c === E || c === E_UPPER) {
    plain = false;
    if (++i >= n) return -1;
    c = b[i]!;
    if (c === PLUS || c === MINUS) {
      if (++i >= n) return -1;
      c = b[i]!;
    }
    const d = i;
    while (c >= ZERO && c <= NINE) {
      if (++i >= n) return -1;
      c = b[i]!;
    }
    if (i === d) return -1;
  }
  out.push(plain ? (neg ? -v : v) : Number(Buffer.from(b.buffer, b.byteOffset + start, i - start).toString('latin1')));
  return i;
}

/** Whether b holds the bytes of `s` at `at`. */
export function bytesAt(b: Uint8Array, at: number, s: Uint8Array): boolean {
  if (at + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s[i]) return false;
  return true;
}

/** The index just past the object that opens at `at` (its strings skipped), or -1. */
export function objectEnd(b: Uint8Array, at: number): number {
  if (b[at] !== OPEN) return -1;
  let depth = 0;
  for (let i = at; i < b.length; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      for (i++; i < b.length && b[i] !== QUOTE; i++) if (b[i] === BACKSLASH) i++;
    } else if (c === OPEN) depth++;
    else if (c === CLOSE && --depth === 0) return i + 1;
  }
  return -1;
}

/** A growable list of numbers in a Float64Array. */
export class Numbers {
  buf = new Float64Array(8192);
  count = 0;
  push(v: number): void {
    if (this.count === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.count++] = v;
  }
  /** The numbers so far (a view: valid until the next push after a clear). */
  view(): Float64Array {
    return this.buf.subarray(0, this.count);
  }
}
