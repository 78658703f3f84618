// The one place that makes foreign text printable. Process names and cmdlines (another user's),
// Python class names, JS constructor names and heap-snapshot strings (the target's), trace headers and
// DB contents (a file's), error messages that quote any of these: a `\x1b]0;…\x07` in them would
// otherwise retitle, clear or rewrite the terminal of whoever runs the tool, usually root at 3 a.m.
// Escaped, not dropped: the user still sees that the name held something odd, and what.

/**
 * What is never printed raw: C0 controls (tab and newline included: a name is one line), DEL, C1
 * controls, the bidirectional overrides/isolates/marks that reorder what a line appears to say, the
 * line/paragraph separators, lone UTF-16 surrogates (not text) and the noncharacters U+FFFE/U+FFFF
 * (illegal in XML, so they also break a JUnit file).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udfff]/gu;
const UNSAFE_KEEP_NEWLINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udfff]/gu;

function visible(ch: string): string {
  const c = ch.codePointAt(0)!;
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u{${c.toString(16)}}`;
}

/** `s` with every unsafe character written as `\xNN` or `\u{NNNN}`; one line, safe on any terminal. */
export function escapeControl(s: string): string {
  return s.replace(UNSAFE, visible);
}

/** As escapeControl, but newlines stay (for multi-line text we composed around foreign strings). */
export function escapeControlKeepNewlines(s: string): string {
  return s.replace(UNSAFE_KEEP_NEWLINES, visible);
}

/** True when `s` holds something escapeControl would change. */
export function hasUnsafeText(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const r = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return r;
}

/**
 * Every string in a plain-data value (objects, arrays) escaped, for results built from a target's
 * data (a profile's classes, holders, constructor names) before any renderer, JSON included, sees them.
 * Keys are escaped too: a census keys counts by class name.
 */
export function escapeDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeDeep(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    // defineProperty, not `out[k] =`: a `__proto__` key (JSON.parse makes it an own property) must stay data,
    // not become the copy's prototype and lend it fields no check has seen.
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      Object.defineProperty(out, escapeControl(k), { value: escapeDeep(v), enumerable: true, writable: true, configurable: true });
    }
    return out as T;
  }
  return value;
}
