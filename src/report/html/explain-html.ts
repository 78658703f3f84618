// The HTML section of leak-track --explain's profiles, at the top of the session page: the closing
// paragraph for each profile, then its growing types with counts, bytes, sparklines and holders (the
// rows of leak-profile's own HTML page), and its windows.
import type { ExplainReport } from '../../types.js';
import { escapeHtml as h } from './page-shell.js';
import { growerRows } from './profile-html.js';
import { formatDuration } from '../../units.js';

/** Growing types listed per profile. */
const TOP = 10;

/** The section, or '' when the session has no profile. */
export function explainSection(entries: ExplainReport[]): string {
  if (!entries.length) return '';
  return `<section id="explain"><h2>What grows inside</h2>${entries.map(one).join('')}</section>`;
}

function one(e: ExplainReport, i: number): string {
  const p = e.profile;
  let table = '';
  if (p && p.growing.length) {
    const growing = p.growing.slice(0, TOP);
    const withRetained = growing.some((g) => typeof g.retained_bytes === 'number');
    const head = ['Type', 'Objects', 'Counts', 'Bytes', 'Bytes per capture', ...(withRetained ? ['Retained'] : []), 'Rate', 'Held by'];
    table = `<table class="explain-growers" id="explain-${i}"><thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${growing.map((g) => growerRows(g, withRetained, head.length)).join('')}</tbody></table>`;
  }
  const kind = p?.target.runtime === 'python' ? 'censuses' : 'snapshots';
  const captures = p ? `<p class="numbers">${p.snapshots.length} ${kind}; target paused ${p.snapshots.map((s) => (typeof s.pause_s === 'number' ? `${s.pause_s.toFixed(2)} s` : '?')).join(', ')}</p>` : '';
  const windows = e.windows.length
    ? `<p class="windows">Profile windows (shaded on the charts, left out of the fit): ${e.windows.map((w) => `${formatDuration(w.start_s)}–${formatDuration(w.end_s)} ${w.kind}`).join(', ')}.</p>`
    : '';
  return `<div class="explain-profile status-${h(e.status)}"><p class="headline">${h(e.paragraph)}</p>${table}${captures}${windows}</div>`;
}
