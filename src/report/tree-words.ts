// The tree's notes in words: the short-lived children's one line and the copy-on-write explanation.
// Shared by the text report and leak-check; the JSON carries the same facts as fields.
import type { CopyOnWrite, ShortLivedSummary } from '../types.js';
import { formatDuration, formatMb } from '../units.js';

/** "22 short-lived children (python3 ×22; ≤ 3 samples, ≤ 2s, ≤ 45.2 MB PSS each): in the tree total, not reported one by one" */
export function describeShortLived(s: ShortLivedSummary): string {
  const all = Object.entries(s.names).sort((a, b) => b[1] - a[1]);
  const names = all
    .slice(0, 3)
    .map(([n, k]) => `${n} ×${k}`)
    .concat(all.length > 3 ? [`${all.length - 3} other names`] : [])
    .join(', ');
  const peak = s.max_mb === null ? '' : `, ≤ ${formatMb(s.max_mb)} ${s.metric.toUpperCase()}`;
  const missing = s.not_in_tree > 0 ? `; ${s.not_in_tree} exited before their ${s.metric.toUpperCase()} was read and are not in it` : '';
  return (
    `${s.count} short-lived ${s.count === 1 ? 'child' : 'children'} (${names}; ≤ ${s.max_samples} samples, ` +
    `≤ ${formatDuration(s.max_lifetime_s)}${peak} each): in the tree total, not reported one by one${missing}`
  );
}

/** Two or three lines saying that private memory grows because shared pages are copied, and by whom. */
export function describeCopyOnWrite(c: CopyOnWrite): string[] {
  const who = (xs: CopyOnWrite['copying']) => xs.map((x) => `${x.name} ${x.pid} (USS +${formatMb(x.uss_growth_mb)})`).join(', ');
  const lines = [
    `copy-on-write: private memory (USS) of the tree grew ${formatMb(c.uss_growth_mb)} but its real memory (sum of PSS) ` +
      `only ${formatMb(c.pss_growth_mb)} and RSS ${formatMb(c.rss_growth_mb)}: pages shared since fork are being un-shared ` +
      `(the USS sum overstates the growth by ${formatMb(c.unshared_mb)}).`,
  ];
  if (c.copying.length) {
    lines.push(`  copying inherited pages: ${who(c.copying)} (in Python, reading objects inherited over fork writes their refcounts, e.g. a big list held by a Dataset)`);
  }
  if (c.unshared_by_others.length) {
    lines.push(`  USS grows though RSS does not, because the others stopped sharing its pages (it allocates nothing): ${who(c.unshared_by_others)}`);
  }
  return lines;
}
