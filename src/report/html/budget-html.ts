// The growth budget on the HTML profile page: the verdict, then one row per part with a bar of its share.
import type { ProfileReport } from '../../types.js';
import { mb } from '../../profile/budget/compose.js';
import { MiB } from '../../units.js';
import { escapeHtml as h } from './page-shell.js';

/** The budget section (empty when the report has none). */
export function budgetSection(r: ProfileReport): string {
  const b = r.budget;
  const n = r.native_sites;
  const trim = (r.trim ? `<p class="check" id="trim">--trim: ${h(r.trim.verdict)}</p>` : '') + (n
    ? `<h3>Native allocations not freed, by caller (bpftrace, ${n.seconds} s)</h3><table id="native-sites"><thead><tr><th>Caller</th><th>Unfreed</th><th>Allocations</th></tr></thead><tbody>` +
      n.sites.map((s) => `<tr><td><code>${h(s.site)}</code></td><td class="num">${h(mb(s.bytes))}</td><td class="num">${s.allocations.toLocaleString('en-US')}</td></tr>`).join('') +
      `</tbody></table><p>${h(n.note)}</p>`
    : '');
  if (!b) return trim ? `<section id="budget"><h2>Growth budget</h2>${trim}</section>` : '';
  const scale = Math.max(...b.parts.map((p) => Math.abs(p.bytes)), 1);
  const rows = b.parts.map((p) => {
    const w = Math.round((100 * Math.max(0, p.bytes)) / scale);
    return `<tr${p.key === b.dominant ? ' class="dominant"' : ''}><td>${h(p.label)}</td><td class="num">${h(mb(p.bytes))}</td>` +
      `<td><span style="display:inline-block;height:0.8em;width:${w}%;min-width:${w ? 1 : 0}px;background:currentColor;opacity:0.6"></span></td></tr>`;
  });
  return `<section id="budget"><h2>Growth budget (USS ${(b.uss_first / MiB).toFixed(1)} → ${(b.uss_last / MiB).toFixed(1)} MB)</h2>` +
    `<p class="headline">${h(b.verdict)}</p><table><thead><tr><th>Part</th><th>Growth</th><th>Share</th></tr></thead><tbody>${rows.join('')}</tbody></table>${trim}</section>`;
}
