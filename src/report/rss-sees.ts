// A row whose USS cannot decide while its RSS can: pages moving between shared and private (another
// process mapping the same libraries, a fork), not allocation. The row says what RSS reads.
import { analyzeSeries, type RateCheck, type SeriesAnalysis } from '../analyze/index.js';
import { fitLine } from '../analyze/stats.js';
import type { ProcessReport } from '../types.js';

type Series = { t_s: number[]; mb: number[] };
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * USS that cannot decide while RSS can: where USS wanders far more than RSS, pages are changing between
 * shared and private (another process mapping the same libraries, a fork), not being allocated. The
 * verdict stays on USS (the gate too); the row says what RSS reads and how to judge by it.
 */
export function sayWhatRssSees(row: { report: ProcessReport; analysis: SeriesAnalysis | null; check: RateCheck | null }, uss: Series, rss: Series, o: { floorMbPerMin?: number; endsAtExit?: boolean }): void {
  const a = row.analysis;
  if (!a || a.classification !== 'insufficient-data' || rss.mb.length < 10 || uss.mb.length < 3) return;
  const r = analyzeSeries(rss, { floorMbPerMin: o.floorMbPerMin, endsAtExit: o.endsAtExit });
  // Both spreads measured the same way, about a straight line through the second half of each series
  // (start-up left behind): the analysis's own noise is what its chosen model leaves, and a step model
  // leaves ~0 of a 110 MB jump ("USS wanders 0.0 MB where RSS moves 0.00 MB" was printed beside one).
  const ussSd = secondHalfSpread(uss);
  const rssSd = secondHalfSpread(rss);
  if (r.classification === 'insufficient-data' || !(rssSd * 5 < ussSd)) return;
  const ci = r.rate_ci95_mb_per_min ? ` (${r.rate_ci95_mb_per_min[0].toFixed(2)}–${r.rate_ci95_mb_per_min[1].toFixed(2)})` : '';
  const rate = round(r.rate_mb_per_min ?? 0, 2);
  row.report.rss_reading = { classification: r.classification, rate_mb_per_min: rate, rate_ci95_mb_per_min: r.rate_ci95_mb_per_min ? [round(r.rate_ci95_mb_per_min[0], 2), round(r.rate_ci95_mb_per_min[1], 2)] : null };
  row.analysis = {
    ...a,
    explanation:
      `${a.explanation}; USS wanders ${ussSd.toFixed(1)} MB about a line where RSS moves ${rssSd.toFixed(2)} MB (pages changing between shared ` +
      `and private, not allocation): RSS reads ${r.classification} ${rate} MB/min${ci}; judge it with --metric rss`,
  };
  // leak-check's INCONCLUSIVE line gives the analysis's reason: the same words.
  if (row.check?.verdict === 'inconclusive') row.check = { ...row.check, reason: row.analysis.explanation };
}

/** The residual sd about a straight line through the readings of a series' second half (MB). */
function secondHalfSpread(s: Series): number {
  const mid = s.t_s[0]! + (s.t_s.at(-1)! - s.t_s[0]!) / 2;
  const from = Math.max(0, Math.min(s.t_s.findIndex((t) => t >= mid), s.t_s.length - 3));
  return fitLine(s.t_s, s.mb, from).residualSd;
}
