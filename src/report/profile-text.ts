// The human table for a Profile report (Node or Python): what grows, how fast, and who holds it.
import type { ProfileReport } from '../types.js';
import { formatDuration, MiB } from '../units.js';
import { budgetLines } from './budget-text.js';

const BARS = '▁▂▃▄▅▆▇█';

/** Counts across snapshots as a tiny bar chart. */
export function sparkline(xs: number[]): string {
  const lo = Math.min(...xs), hi = Math.max(...xs);
  return xs.map((x) => BARS[hi === lo ? 0 : Math.round(((x - lo) / (hi - lo)) * (BARS.length - 1))]).join('');
}

const signed = (n: number, digits = 0) => `${n >= 0 ? '+' : ''}${n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}`;

function bytesText(b: number): string {
  const mb = b / MiB;
  return Math.abs(mb) >= 1 ? `${signed(mb, 1)} MB` : `${signed(b / 1024, 1)} KB`;
}

/** Render the report as text. */
export function renderProfileText(r: ProfileReport, top: number): string {
  const out: string[] = budgetLines(r.budget, r.trim, r.native_sites);
  const span = r.snapshots.length > 1 ? r.snapshots[r.snapshots.length - 1]!.t_s - r.snapshots[0]!.t_s : 0;
  const who = r.target.pid ? `PID ${r.target.pid} (${r.target.runtime})` : 'snapshot files';
  const pauses = r.snapshots.map((s) => s.pause_s).filter((p): p is number => typeof p === 'number');
  const spacing = r.timing === 'unknown' ? '(time between them unknown)' : `over ${formatDuration(span)}`;
  out.push(`${who}: ${r.snapshots.length} ${r.target.runtime === 'python' ? 'censuses' : 'snapshots'} ${spacing}` +
    (pauses.length ? `; target paused ${pauses.map((p) => `${p.toFixed(2)} s`).join(', ')}` : ''));
  for (const s of r.snapshots) out.push(`  t=${(r.timing === 'unknown' ? '?' : formatDuration(s.t_s)).padStart(6)}  ${s.objects.toLocaleString('en-US').padStart(12)} objects  ${(s.bytes / MiB).toFixed(1).padStart(9)} MB${s.file ? `  ${s.file}` : ''}`);
  out.push('');
  if (r.growing.length === 0) {
    out.push('No type grew in every interval: nothing is accumulating between these snapshots.');
  } else {
    const retained = r.growing.some((g) => typeof g.retained_bytes === 'number');
    out.push(`Types that grew in every interval (top ${Math.min(top, r.growing.length)}${retained ? ', ranked by the bytes their new objects retain (RATE too); a type\'s internals folded under it' : ''}):`);
    const tw = Math.min(44, Math.max(28, ...r.growing.slice(0, top).map((g) => g.type.length + (g.folded_into ? 4 : 0))));
    out.push(`  ${'TYPE'.padEnd(tw)} ${'OBJECTS'.padStart(12)} ${'BYTES'.padStart(12)}${retained ? ` ${'RETAINED'.padStart(12)}` : ''} ${'RATE'.padStart(14)}  COUNTS    HELD BY`);
    for (const g of r.growing.slice(0, top)) {
      const perMin = typeof g.retained_bytes_per_min === 'number' ? g.retained_bytes_per_min : g.bytes_per_min;
      const rate = perMin !== null ? `${bytesText(perMin)}/min` : '';
      const share = g.retainer_share !== undefined && g.retainer_share !== null && g.retainer_share < 0.95 ? ` (${Math.round(g.retainer_share * 100)} % of new ones)` : '';
      const type = g.folded_into ? `  └ ${g.type}` : g.type;
      const kept = retained ? ` ${(typeof g.retained_bytes === 'number' ? bytesText(g.retained_bytes) : '').padStart(12)}` : '';
      out.push(`  ${type.slice(0, tw).padEnd(tw)} ${signed(g.count_delta).padStart(12)} ${bytesText(g.bytes_delta).padStart(12)}${kept} ${rate.padStart(14)}  ${sparkline(g.counts).padEnd(8)}  ${g.folded_into ? `inside ${g.folded_into}` : (g.retainer_path ?? '?')}${g.folded_into ? '' : share}`);
      if ((g.clusters?.length ?? 0) > 1) {
        for (const c of g.clusters!) {
          // Python: shares of sampled instances (an instance kept in two places counts for both)
          out.push(r.target.runtime === 'python'
            ? `      holder: ${Math.round(c.share * 100)} % of sampled instances (≈ ${signed(c.count)} objects, ${bytesText(c.retained_bytes)} of the growth), ${c.path}`
            : `      cluster: ${signed(c.count)} objects, ${bytesText(c.retained_bytes)} retained, held by ${c.path}`);
        }
      }
      if (g.note) out.push(`  ${''.padEnd(28)} ↳ ${g.note}`);
    }
  }
  if (r.device?.length) {
    out.push('');
    out.push('Device memory (GPU, not in the bytes above):');
    for (const d of r.device) {
      const rate = d.bytes_per_min !== null ? `${bytesText(d.bytes_per_min)}/min` : '';
      out.push(`  ${d.name.padEnd(28)} ${(d.bytes[0]! / MiB).toFixed(1).padStart(9)} MB → ${(d.bytes[d.bytes.length - 1]! / MiB).toFixed(1).padStart(9)} MB ${rate.padStart(14)}`);
    }
  }
  for (const w of r.warnings ?? []) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
