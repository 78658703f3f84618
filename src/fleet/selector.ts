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

/**
 * What a series must hold to be selected by `s`: its name and its `=` / `!=` matchers (regex
 * matchers are RE2, not JavaScript's, and are left to the server). A function naming the first label
 * a series contradicts, or null: a server's answer is checked against the query it answers.
 */
export function selectorTest(s: string): (labels: Record<string, string>) => string | null {
  const m = s.match(SELECTOR);
  const want: [string, boolean, string][] = [];
  if (m?.[1]) want.push(['__name__', true, m[1]]);
  const body = m?.[2]?.slice(1, -1) ?? '';
  const matcher = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*(,|$)/y;
  for (let at = 0, x: RegExpExecArray | null; at < body.trim().length && (x = matcher.exec(body)); at = matcher.lastIndex) {
    const [, label, op, quoted] = x as unknown as [string, string, string, string];
    if (op !== '=' && op !== '!=') continue;
    let value: string;
    try {
      value = quoted[0] === '`' ? quoted.slice(1, -1) : (JSON.parse(quoted[0] === "'" ? `"${quoted.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : quoted) as string);
    } catch {
      continue; // an escape JSON does not share with PromQL: not checked here
    }
    want.push([label, op === '=', value]);
  }
  return (labels) => {
    for (const [label, equal, value] of want) if (((labels[label] ?? '') === value) !== equal) return `not ${label}${equal ? '=' : '!='}${JSON.stringify(value)}`;
    return null;
  };
}
