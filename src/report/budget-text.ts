// The growth budget as text: the verdict first (which part dominates), then each part's share.
import type { Budget } from '../profile/budget/types.js';
import type { TrimResult } from '../profile/budget/trim-verdict.js';
import type { NativeSites } from '../profile/native/trace-native.js';
import { mb } from '../profile/budget/compose.js';
import { MiB } from '../units.js';

/** Lines for the top of the profile text: the budget's verdict, its parts, then --trim's verdict. */
export function budgetLines(b: Budget | undefined, t: TrimResult | undefined, n?: NativeSites): string[] {
  const out: string[] = [];
  if (b) {
    out.push(b.verdict);
    out.push(`  USS ${(b.uss_first / MiB).toFixed(1)} → ${(b.uss_last / MiB).toFixed(1)} MB over the window, split:`);
    for (const p of b.parts) {
      const share = b.uss_delta > 0 ? `${Math.round((100 * p.bytes) / b.uss_delta)} %`.padStart(6) : '';
      out.push(`    ${p.label.padEnd(58)} ${mb(p.bytes).padStart(11)} ${share}${p.key === b.dominant ? '  ◀ dominates' : ''}`);
    }
  }
  if (t) out.push(`--trim: ${t.verdict}`);
  if (n) {
    out.push(`Native allocations not freed, by caller (bpftrace, ${n.seconds} s): ${n.sites.length ? '' : 'none'}`);
    for (const s of n.sites) out.push(`    ${mb(s.bytes).padStart(11)} in ${s.allocations.toLocaleString('en-US').padStart(8)} allocations  ${s.site.replace(/[^\x20-\x7e]/g, '?')}`);
    out.push(`  (${n.note})`);
  }
  if (out.length) out.push('');
  return out;
}
