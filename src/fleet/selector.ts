// The user's --query is a series selector; a shard of it is the same selector with one more
// matcher (`rank=~"0|1|2"`) so the server sends only that shard's series.
import { usageError } from '../errors.js';

const SELECTOR = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{[\s\S]*\})?\s*$/;

/** Throws a usage error unless `s` is a plain series selector (a name, matchers, or both). */
export function checkSelector(s: string): void {
  const m = s.match(SELECTOR);
  if (!m || (!m[1] && !m[2]) || /\[|\]/.test(s.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
    throw usageError(`--query must be a series selector such as 'container_memory_working_set_bytes{namespace="train"}' (no functions, operators or ranges), got \`${s}\``);
  }
}

/** Escape a label value for an RE2 alternation inside a PromQL double-quoted string. */
function reValue(v: string): string {
  return v.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The selector narrowed to series whose `label` is one of `values` ('' matches the label's absence). */
export function withMatcher(selector: string, label: string, values: string[]): string {
  const matcher = `${label}=~"${values.map(reValue).join('|')}"`;
  const m = selector.match(SELECTOR)!;
  const name = m[1] ?? '';
  const body = m[2] ? m[2].slice(1, -1).trim() : '';
  return `${name}{${body ? `${body.replace(/,\s*$/, '')},` : ''}${matcher}}`;
}
