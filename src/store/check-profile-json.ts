// A Profile JSON stored in a DB (leak-track --explain, read back by leak-report and leak-check) is the
// DB's text: whoever could write the DB wrote it. Every field a report reads is checked for type and
// bound before the profile is believed; a planted `"type": 5` or `"target": null` was "internal error"
// (exit 70) in every reader, and its strings reached the terminal raw. A profile that fails is left out
// with a message, not the session's verdicts.
import type { ProfileReport } from '../types.js';
import { escapeDeep } from '../text/escape.js';

/** A shape: a type name, an enum, an array of one shape, or an object of shapes ('key?' may be absent). */
type Shape = 'num' | 'count' | 'str' | 'bool' | { nullable: Shape } | { oneOf: readonly string[] } | [Shape] | { [key: string]: Shape };

const MAX_ITEMS = 100_000;
const MAX_TEXT = 100_000;
const n = (s: Shape): Shape => ({ nullable: s });

const GROWING: Shape = {
  type: 'str', counts: ['count'], bytes: ['count'], count_delta: 'num', bytes_delta: 'num', bytes_per_min: n('num'),
  retainer_path: n('str'), 'retainer_share?': n('num'), 'note?': n('str'), 'retained_bytes?': n('num'),
  'retained_bytes_per_min?': n('num'), 'folded_into?': n('str'),
  'clusters?': [{ path: 'str', count: 'count', retained_bytes: 'num', share: 'num' }],
};

const PROFILE: Shape = {
  target: { pid: n('count'), runtime: { oneOf: ['node', 'python', 'snapshot'] } },
  snapshots: [{ t_s: 'num', file: n('str'), objects: 'count', bytes: 'count', 'pause_s?': n('num') }],
  growing: [GROWING],
  'warnings?': ['str'],
  'device?': [{ name: 'str', bytes: ['count'], bytes_per_min: n('num') }],
  'timing?': { oneOf: ['measured', 'snapshot', 'interval', 'unknown'] },
  'budget?': {
    runtime: { oneOf: ['python', 'node'] }, window_s: 'num', uss_first: 'num', uss_last: 'num', uss_delta: 'num',
    parts: [{ key: 'str', label: 'str', bytes: 'num' }], dominant: n('str'), verdict: 'str',
  },
  'trim?': {
    uss_before: 'num', uss_after_gc: 'num', uss_after: 'num', given_back: 'num', free_before: 'num', free_after: 'num',
    fragmentation: 'bool', pause_s: 'num', verdict: 'str',
  },
  'native_sites?': { seconds: 'num', sites: [{ site: 'str', bytes: 'num', allocations: 'num' }], note: 'str' },
};

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The first place `v` does not fit `shape`, in words (`growing[0].type is not text`), or null. */
function misfit(v: unknown, shape: Shape, at: string): string | null {
  if (shape === 'num') return typeof v === 'number' && Number.isFinite(v) ? null : `${at} is not a number`;
  if (shape === 'count') return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : `${at} is not a count`;
  if (shape === 'str') return typeof v === 'string' && v.length <= MAX_TEXT ? null : `${at} is not text`;
  if (shape === 'bool') return typeof v === 'boolean' ? null : `${at} is not true or false`;
  if (Array.isArray(shape)) {
    if (!Array.isArray(v) || v.length > MAX_ITEMS) return `${at} is not a list`;
    for (let i = 0; i < v.length; i++) {
      const m = misfit(v[i], shape[0], `${at}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  if ('nullable' in shape && Object.keys(shape).length === 1) return v === null ? null : misfit(v, shape.nullable as Shape, at);
  if ('oneOf' in shape && Array.isArray(shape.oneOf)) return (shape.oneOf as string[]).includes(v as string) ? null : `${at} is not one of ${(shape.oneOf as string[]).join(', ')}`;
  if (!isObj(v)) return `${at || 'it'} is not an object`;
  for (const [k, s] of Object.entries(shape as Record<string, Shape>)) {
    const optional = k.endsWith('?');
    const key = optional ? k.slice(0, -1) : k;
    if (optional && v[key] === undefined) continue;
    const m = misfit(v[key], s, at ? `${at}.${key}` : key);
    if (m) return m;
  }
  return null;
}

/**
 * A stored Profile JSON, checked: the report with every string escaped (it is printed, and planted
 * text must not reach a terminal raw), or why it cannot be believed.
 */
export function checkProfileJson(json: string): { report: ProfileReport } | { error: string } {
  let v: unknown;
  try {
    v = escapeDeep(JSON.parse(json) as unknown);
  } catch {
    return { error: 'it is not JSON' };
  }
  const m = misfit(v, PROFILE, '');
  if (m) return { error: m };
  const r = v as ProfileReport;
  const k = r.snapshots.length;
  const uneven = r.growing.findIndex((g) => g.counts.length !== k || g.bytes.length !== k);
  if (uneven >= 0) return { error: `growing[${uneven}] has not one count and one size per snapshot` };
  if ((r.device ?? []).some((d) => d.bytes.length !== k)) return { error: 'device has not one size per snapshot' };
  return { report: r };
}
