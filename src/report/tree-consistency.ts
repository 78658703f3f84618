// One story per session (issue 21.2): the tree row must not contradict its members. The tree total is
// the sum of its members, so where a member grows with its interval above the floor the total grows
// too unless another member shrinks as fast; a total whose own series reads "released in sharp drops"
// (one member's excursion, a worker's epoch), stable or plateau next to such a driver tells a second
// story. Then the total is judged as the sum of its members' steady-state rates (each after its own
// excursion, release and cycle handling), the interval their intervals in quadrature. The rule is
// written down in docs/verdicts.md. Pure.
import type { SeriesAnalysis } from '../analyze/index.js';

export interface MemberRate {
  label: string;
  analysis: SeriesAnalysis | null;
  /** Still alive when the session ended: a worker that grew and exited took its memory with it. */
  aliveAtEnd?: boolean;
}

/**
 * The tree's analysis made consistent with its members, or null where it already is. `members` are
 * the kept rows that can drive the total (not those whose USS grows only because others stopped
 * sharing their pages); `floor` in MB/min.
 */
export function agreeWithMembers(tree: SeriesAnalysis, all: MemberRate[], floor: number, churn = false): SeriesAnalysis | null {
  // A total that cycles because members exit (workers re-created every epoch, each growing while it
  // lives) is released for real at every exit: its class stands, the growing workers keep their rows.
  if (churn && tree.classification === 'cycling') return null;
  // Only members alive at the end carry the total forward: DataLoader workers that each grew 40 MB/min
  // for their 60 s epoch and exited leave a total that cycles, and says so.
  const members = all.filter((m) => m.aliveAtEnd !== false);
  const confident = members.filter((m) => m.analysis?.classification === 'growing' && (m.analysis.rate_ci95_mb_per_min?.[0] ?? -Infinity) > floor);
  if (confident.length === 0) return null;
  if (tree.classification === 'growing') return null;
  let rate = 0;
  let var95 = 0;
  const left: string[] = [];
  for (const m of members) {
    const a = m.analysis;
    if (!a || a.rate_mb_per_min === null || !a.rate_ci95_mb_per_min) {
      left.push(m.label);
      continue;
    }
    // A cycling or plateaued member contributes its troughs' / end's rate, as its own row says.
    rate += a.rate_mb_per_min;
    const half = (a.rate_ci95_mb_per_min[1] - a.rate_ci95_mb_per_min[0]) / 2;
    var95 += half * half;
  }
  const half = Math.sqrt(var95);
  const ci: [number, number] = [rate - half, rate + half];
  const driver = confident.sort((a, b) => b.analysis!.rate_mb_per_min! - a.analysis!.rate_mb_per_min!)[0]!;
  const own = `the total's own series (${tree.classification}) is not used: its drops and excursions are its members', each judged on its own row`;
  const sum = `the sum of its members' rates${left.length ? ` (${left.join(', ')} without a rate, left out)` : ''}`;
  const growing = ci[0] > floor;
  return {
    ...tree,
    classification: growing ? 'growing' : 'insufficient-data',
    rate_mb_per_min: rate,
    rate_ci95_mb_per_min: ci,
    period_s: null,
    need_more_s: growing ? null : tree.need_more_s ?? tree.duration_s,
    explanation: growing
      ? `grows as ${sum}, driven by ${driver.label}; ${own}`
      : `${driver.label} grows but ${sum} (${rate.toFixed(1)} MB/min) still includes no leak; ${own}`,
  };
}

const QUIET = ['stable', 'plateau', 'cycling'];

/**
 * The converse: a total that grows while every member, judged on the total's own metric, is flat,
 * levelled off or cycling (two sawtooths of 31 and 33 s sum to beats the cycle finder cannot fold,
 * and their troughs line up as a rise). Only where the members are all the total has: no short-lived
 * children (their churn is in the total and in no row). Then the total is the sum of the members'
 * rates, with the class of the liveliest member.
 */
export function quietMembersQuietTree(tree: SeriesAnalysis, onTreeMetric: MemberRate[], floor: number): SeriesAnalysis | null {
  if (tree.classification !== 'growing' || onTreeMetric.length === 0) return null;
  if (!onTreeMetric.every((m) => m.analysis && QUIET.includes(m.analysis.classification) && m.analysis.rate_ci95_mb_per_min)) return null;
  let rate = 0;
  let var95 = 0;
  for (const m of onTreeMetric) {
    const [lo, hi] = m.analysis!.rate_ci95_mb_per_min!;
    rate += m.analysis!.rate_mb_per_min ?? 0;
    var95 += ((hi - lo) / 2) ** 2;
  }
  const half = Math.sqrt(var95);
  const cls = onTreeMetric.map((m) => m.analysis!.classification).sort((a, b) => QUIET.indexOf(b) - QUIET.indexOf(a))[0]!;
  const undecided = rate - half > floor;
  return {
    ...tree,
    classification: undecided ? 'insufficient-data' : cls,
    rate_mb_per_min: rate,
    rate_ci95_mb_per_min: [rate - half, rate + half],
    need_more_s: undecided ? tree.duration_s : null,
    explanation:
      `every member is ${[...new Set(onTreeMetric.map((m) => m.analysis!.classification))].join(' or ')} (${onTreeMetric.map((m) => m.label).join(', ')}), so the total is the sum of their rates; ` +
      `its own series reads growing ${tree.rate_mb_per_min?.toFixed(1)} MB/min, which their cycles summed out of step make it look`,
  };
}
