// The verdict in words, shared by leak-report, leak-check and leak-track's summary.
import type { SeriesAnalysis, RateCheck } from '../analyze/index.js';
import type { ProcessReport } from '../types.js';
import { formatBound, formatDuration } from '../units.js';

const fmtRate = (r: number): string => (Math.abs(r) >= 100 ? r.toFixed(0) : Math.abs(r) >= 10 ? r.toFixed(1) : r.toFixed(2));

/** "growing 63.2 MB/min (58.1–68.0)" or "cycling" / "plateau" / "stable" / "insufficient data". */
export function describeRate(r: ProcessReport): string {
  const cls = r.classification ?? 'insufficient-data';
  if (cls === 'insufficient-data') return 'insufficient data';
  if (r.rate_mb_per_min === null) return cls;
  const ci = r.rate_ci95_mb_per_min ? ` (${fmtRate(r.rate_ci95_mb_per_min[0])}–${fmtRate(r.rate_ci95_mb_per_min[1])})` : '';
  return `${cls} ${fmtRate(r.rate_mb_per_min)} MB/min${ci}`;
}

/** One sentence: the rate plus the analysis's explanation. */
export function describeVerdict(r: ProcessReport, a: SeriesAnalysis | null, limit?: { mb: number; source: string }): string {
  const head = describeRate(r);
  if (!a) return `${head}: no samples`;
  let tail = a.explanation;
  if (a.classification === 'insufficient-data' && a.need_more_s) tail += `; record about ${formatDuration(a.need_more_s)} more`;
  if (r.reach_limit_s !== undefined && limit) tail += `; at this rate it reaches ${limitWords(limit)} in ~${formatDuration(r.reach_limit_s)}`;
  return tail ? `${head}: ${tail}` : head;
}

/** "this machine's 23,105 MB of RAM" or "its cgroup's 512 MB limit (/job/rank0)". */
export function limitWords(l: { mb: number; source: string }): string {
  const mb = Math.round(l.mb).toLocaleString('en-US');
  if (l.source === 'machine') return `the machine's ${mb} MB of RAM`;
  return l.source.startsWith('cgroup ') ? `its cgroup's ${mb} MB limit (${l.source.slice(7)})` : `the ${mb} MB limit`;
}

/** `FAIL python 4242: growing 63.2 MB/min (CI 58–68) > 50` — the leak-check line. */
export function describeCheck(r: ProcessReport, check: RateCheck, maxRate: number): string {
  const who = `${r.role === 'tree' ? 'tree' : r.name} ${r.pid}${r.role === 'tree' ? ' (main + children)' : ''}`;
  const ci = r.rate_ci95_mb_per_min ? ` (CI ${fmtRate(r.rate_ci95_mb_per_min[0])}–${fmtRate(r.rate_ci95_mb_per_min[1])})` : '';
  const cls = r.classification ?? 'insufficient-data';
  const rate = r.rate_mb_per_min !== null && cls !== 'insufficient-data' ? ` ${fmtRate(r.rate_mb_per_min)} MB/min${ci}` : '';
  const bound = formatBound(maxRate);
  const cmp = check.verdict === 'fail' ? ` > ${bound}` : check.verdict === 'pass' ? ` ≤ ${bound} MB/min` : ` vs ${bound} MB/min`;
  let line = `${check.verdict.toUpperCase()} ${who}: ${cls}${rate}${cmp}`;
  if (check.verdict !== 'fail' && check.reason) line += ` — ${check.reason}`;
  if (check.verdict === 'inconclusive' && check.more_s) line += `; record about ${formatDuration(check.more_s)} more to decide`;
  return line;
}
