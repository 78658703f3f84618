// A fleet as text: the summary first (counts per class, growing series by job and node, worst first),
// then one line per series, worst first. Label values come from a server: printed escaped.
import { orderWorstFirst } from './compose-session.js';
import { countsLine, summarise } from './fleet-summary.js';
import type { Judged } from '../fleet/judge-series.js';
import { escapeControl } from '../text/escape.js';

export interface FleetTextInput {
  selector: string;
  url: string;
  via: string;
  listed: number;
  judged: Judged[];
  seconds: number;
  /** The read stopped early (the server failed): say the table is partial. */
  partial: boolean;
  width: number;
}

const fmt = (x: number | null | undefined, d = 1) => (x === null || x === undefined ? '—' : x.toFixed(d));

export function renderFleetText(f: FleetTextInput): string {
  const s = summarise(f.judged);
  const out: string[] = [];
  const of = f.partial ? ` of ${f.listed.toLocaleString('en-US')} listed (the read stopped early: see the error below)` : '';
  out.push(`Fleet: ${s.series.toLocaleString('en-US')} series${of} of \`${escapeControl(f.selector)}\` at ${escapeControl(f.url)}, read by ${f.via || '—'} in ${f.seconds.toFixed(1)} s`);
  out.push(`  ${countsLine(s)}`);
  if (s.growing.length === 0) out.push('No series is growing.');
  else {
    const n = s.counts.growing ?? 0;
    out.push(`Growing (${n}), worst first, by job and node:`);
    for (const g of s.growing.slice(0, 50)) {
      const rows = g.rows.slice(0, 8).map((j) => `${escapeControl(j.report.name)} ${j.rateText.replace(/^growing /, '')}`);
      const more = g.rows.length > 8 ? `, … ${g.rows.length - 8} more` : '';
      out.push(`  ${escapeControl(g.where)}: ${rows.join('; ')}${more}`);
    }
    if (s.growing.length > 50) out.push(`  … ${s.growing.length - 50} more groups (all in the table below)`);
  }
  out.push('');
  const nameW = Math.max(12, Math.min(60, f.width - 62));
  out.push(`${'SERIES'.padEnd(nameW)}  ${'CLASS'.padEnd(17)} ${'MB/MIN'.padStart(8)} ${'95% CI'.padStart(15)} ${'LAST MB'.padStart(9)} ${'SAMPLES'.padStart(7)}`);
  for (const j of orderWorstFirst(f.judged)) {
    const r = j.report;
    const name = escapeControl(r.name);
    const ci = r.rate_ci95_mb_per_min ? `${fmt(r.rate_ci95_mb_per_min[0], 2)}–${fmt(r.rate_ci95_mb_per_min[1], 2)}` : '';
    const cls = `${r.classification ?? 'insufficient-data'}${r.verdict === 'fail' ? ' FAIL' : ''}`;
    out.push(`${(name.length > nameW ? `${name.slice(0, nameW - 1)}…` : name).padEnd(nameW)}  ${cls.padEnd(17)} ${fmt(r.rate_mb_per_min, 2).padStart(8)} ${ci.padStart(15)} ${fmt(r.last_mb).padStart(9)} ${String(r.samples).padStart(7)}`);
  }
  return `${out.join('\n')}\n`;
}
