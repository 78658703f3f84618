// The shapes of issue 10 one by one: label, rate and interval against the truth, and the gate at a
// bound. Run: node dist/bench/analyze-cases.js [seed] [perKind]
import { analyzeSeries, checkRate } from '../src/analyze/index.js';
import { issueSweep, type Trace } from '../test/helpers/series-generator.js';

/** One line per trace: kind, truth, verdict, rate (CI), and whether each part is right. */
export function judge(tr: Trace, bound = 50): { ok: boolean; line: string } {
  const a = analyzeSeries(tr);
  const ci = a.rate_ci95_mb_per_min;
  const labelOk = a.classification === tr.label;
  const rateOk = tr.label !== 'growing' || (a.rate_mb_per_min !== null && Math.abs(a.rate_mb_per_min - tr.rate!) <= 0.15 * tr.rate!);
  const ciOk = tr.label !== 'growing' || (ci !== null && ci[0] <= tr.rate! && tr.rate! <= ci[1]);
  const v = checkRate(a, bound).verdict;
  const gateOk = tr.rate === null || !((tr.rate > 1.2 * bound && v !== 'fail' && v !== 'inconclusive') || (tr.rate < 0.8 * bound && v === 'fail'));
  const f = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(1));
  const line = `${labelOk && rateOk && gateOk ? '  ' : '✗ '}${tr.kind} n=${tr.t_s.length} dt=${tr.dt.toFixed(1)}: truth ${tr.label} ${f(tr.rate)} → ${a.classification} ${f(a.rate_mb_per_min)} (${f(ci?.[0])}–${f(ci?.[1])})${ciOk ? '' : ' [CI misses]'} gate@${bound} ${v}${a.peaks_rate_mb_per_min != null ? ` peaks ${f(a.peaks_rate_mb_per_min)}` : ''} — ${a.explanation}`;
  return { ok: labelOk && rateOk && gateOk, line };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const traces = issueSweep(Number(process.argv[2] ?? 1), Number(process.argv[3] ?? 3));
  const only = process.argv[4];
  let bad = 0;
  for (const tr of traces) {
    if (only && !tr.kind.includes(only)) continue;
    const j = judge(tr);
    if (!j.ok) bad++;
    console.log(j.line);
  }
  console.log(`${bad} wrong of ${traces.length}`);
}
