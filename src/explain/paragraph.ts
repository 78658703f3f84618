// The closing paragraph of leak-track --explain: the tracker's verdict on a process joined to what its
// profile found inside it, in one sentence a user can act on:
//   python3 4242 (main) is growing 114 MB/min (108–120). Inside: torch.Tensor +90 MB/min kept in
//   processor.image_processor._cache (dict, 502 items, 502 MB); …
// Pure: the verdict's words and the stored profile in, text out.
import type { GrowingType, ProfileReport } from '../types.js';
import type { StoredProfile } from '../store/profile-store.js';
import { MiB } from '../units.js';
import { escapeControl } from '../text/escape.js';

const fmt = (r: number): string => (Math.abs(r) >= 100 ? r.toFixed(0) : Math.abs(r) >= 10 ? r.toFixed(1) : r.toFixed(2));

/** How many growing types the paragraph names. */
export const NAMED_TYPES = 3;
/** A type after the first is named only when it grows at least this share of the first's rate. */
export const MINOR_SHARE = 0.05;

/** What the verdict says about the profiled process: its label and its rate in words (null: no row). */
export interface Subject {
  label: string;
  rateText: string | null;
}

/** One paragraph: the verdict, then what is inside (or why nothing could be looked at). */
export function explainParagraph(s: Subject, p: StoredProfile): string {
  const when = p.trigger ? `growing ${fmt(p.trigger.rate)} MB/min (${fmt(p.trigger.ci[0])}–${fmt(p.trigger.ci[1])})` : 'growing';
  const verdict = s.rateText?.startsWith('growing')
    ? `${s.label} is ${s.rateText}.`
    : `${s.label} was ${when} when it was profiled${s.rateText ? ` (over the whole session: ${s.rateText})` : ''}.`;
  if (p.status === 'failed') return `${verdict} No profile: ${oneLine(p.message ?? 'it could not be taken')}.`;
  if (p.status === 'interrupted') return `${verdict} The profile was interrupted: ${oneLine(p.message ?? 'stopped')}.`;
  if (p.status === 'running' || !p.report) return `${verdict} The profile did not finish (leak-track was stopped while it ran).`;
  return `${verdict} ${inside(p.report)}`;
}

/** "Inside: T +R MB/min kept in H; …" plus the budget's sentence where the profile carries one. */
export function inside(r: ProfileReport): string {
  const named = topGrowers(r);
  const runtime = r.target.runtime === 'python' ? 'Python' : 'JavaScript';
  const budget = budgetSentence(r);
  if (named.length === 0) {
    return `Inside: no ${runtime} object type grew in every interval of the profile, so the growth is outside the ${runtime} heap (native allocations, memory the runtime does not count)${budget ? `; ${budget}` : ''}.`;
  }
  return `Inside: ${named.map(describeGrower).join('; ')}${budget ? `; ${budget}` : ''}.`;
}

/**
 * The growers worth naming: a type folded into another is that other's internals, and a type that is
 * the same memory as one already named is left to the table below. Named beside each other, a
 * ProcessedImage and the bytes it keeps (+154 MB/min each), or PrefetchedBatch, the (closure) and the
 * Context that keep it (+192 MB/min each), said the process grew two or three times as fast as it does.
 * A type growing under MINOR_SHARE of the first's rate is left to the table too.
 */
export function topGrowers(r: ProfileReport, n = NAMED_TYPES): GrowingType[] {
  const named: GrowingType[] = [];
  for (const g of r.growing) {
    if (named.length >= n) break;
    if (g.folded_into || named.some((h) => sameMemory(g, h))) continue;
    const [first, rate] = [named[0] ? rateOf(named[0]) : null, rateOf(g)];
    if (first !== null && rate !== null && rate < MINOR_SHARE * first) continue; // "int +0.03 MB/min" beside "torch.Tensor +76"
    named.push(g);
  }
  return named;
}

/** The rate the paragraph gives a grower, bytes/min (retained where the profile has it), or null. */
function rateOf(g: GrowingType): number | null {
  const r = typeof g.retained_bytes_per_min === 'number' ? g.retained_bytes_per_min : g.bytes_per_min;
  return typeof r === 'number' ? r : null;
}

/** A holder path without its indices and its trailing "(dict, 502 items, …)": the chain of names. */
const chain = (p: string | null | undefined): string | null => (p ? p.replace(/ \([^()]*\)$/, '').replace(/\[[^\]]*\]/g, '') : null);

/**
 * `g` grows at the rate of `h` (within 10 %) and is either on the same holder chain (one path extends
 * the other: an object and what it keeps, or what keeps it) or a single container that gained one object
 * (the list or dict that holds `h`'s objects, sized with them).
 */
function sameMemory(g: GrowingType, h: GrowingType): boolean {
  const [a, b] = [rateOf(g), rateOf(h)];
  if (a === null || b === null || !(a > 0 && b > 0) || Math.abs(a - b) > 0.1 * Math.max(a, b)) return false;
  const [x, y] = [chain(g.retainer_path), chain(h.retainer_path)];
  return Math.abs(g.count_delta) <= 1 || (x !== null && y !== null && (x.startsWith(y) || y.startsWith(x)));
}

/** "torch.Tensor +90 MB/min kept in processor.image_processor._cache (dict, 502 items, 502 MB)". */
export function describeGrower(g: GrowingType): string {
  const perMin = typeof g.retained_bytes_per_min === 'number' ? g.retained_bytes_per_min : g.bytes_per_min;
  const amount = perMin !== null && perMin !== undefined ? `+${fmt(perMin / MiB)} MB/min` : `+${fmt((g.retained_bytes ?? g.bytes_delta) / MiB)} MB`;
  const holder = g.retainer_path ? `kept in ${oneLine(g.retainer_path)}` : 'held by an unknown holder';
  return `${oneLine(g.type)} ${amount} ${holder}`;
}

/** The top holder in a few words, for a FAIL line: "torch.Tensor kept in processor.image_processor._cache". */
export function topHolder(r: ProfileReport | null): string | null {
  const g = r ? topGrowers(r, 1)[0] : undefined;
  if (!g) return null;
  return `${oneLine(g.type)} ${g.retainer_path ? `kept in ${oneLine(g.retainer_path)}` : 'held by an unknown holder'}`;
}

/**
 * The growth budget (issue #19, src/profile/budget/): how much of the process's USS growth the runtime's
 * own objects explain, e.g. "Python objects explain 79 % of the USS growth, the rest is native (see the
 * budget)". The share is the objects' parts (Python objects; V8 heap used + ArrayBuffers) over the USS
 * growth the budget itself measured, so the sentence and the budget's table cannot disagree. Null where
 * the profile has no budget or USS did not grow enough to split (the budget's `dominant` is null).
 */
export function budgetSentence(r: ProfileReport): string | null {
  const b = r.budget;
  if (!b || b.dominant === null || !(b.uss_delta > 0)) return null;
  const objectKeys = b.runtime === 'python' ? ['python_objects'] : ['v8_heap_used', 'array_buffers'];
  const objects = b.parts.filter((p) => objectKeys.includes(p.key)).reduce((s, p) => s + p.bytes, 0);
  const pct = Math.round(Math.min(1, Math.max(0, objects / b.uss_delta)) * 100);
  const runtime = b.runtime === 'python' ? 'Python objects' : 'JavaScript objects and Buffers';
  const rest = b.parts.filter((p) => !objectKeys.includes(p.key)).sort((x, y) => y.bytes - x.bytes)[0];
  const tail = pct < 95 && rest && rest.bytes > 0 ? `, the rest is mostly ${rest.label} (see the budget)` : '';
  return `${runtime} explain ${pct} % of the USS growth${tail}`;
}

/** Text from the target (type names, holder paths): control characters escaped, one line. */
const oneLine = escapeControl;
