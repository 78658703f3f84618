// The profile report as one HTML file: the snapshots taken, then the types that grew in every
// interval with their counts, bytes (and retained bytes where the capture measured them), a
// sparkline of each across snapshots, and the holder path.
import type { GrowingType, ProfileReport } from '../../types.js';
import { formatDuration, MiB } from '../../units.js';
import { escapeHtml as h, renderPage } from './page-shell.js';
import { sparklineSvg } from './sparkline-svg.js';

const num = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => `${n >= 0 ? '+' : ''}${num(Math.round(n))}`;
function bytes(b: number): string {
  const mb = b / MiB;
  return Math.abs(mb) >= 1 ? `${mb >= 0 && b !== 0 ? '+' : ''}${mb.toFixed(1)} MB` : `${b >= 0 ? '+' : ''}${(b / 1024).toFixed(1)} KB`;
}
const retainedOf = (g: GrowingType): number | null => {
  const v = (g as GrowingType & { retained_bytes?: number | number[] | null }).retained_bytes;
  if (Array.isArray(v)) return v.length ? v[v.length - 1]! : null;
  return typeof v === 'number' ? v : null;
};

function growerRow(g: GrowingType, withRetained: boolean): string {
  const share = g.retainer_share !== undefined && g.retainer_share !== null && g.retainer_share < 0.95 ? ` <span class="ci">(${Math.round(g.retainer_share * 100)} % of new ones)</span>` : '';
  const retained = retainedOf(g);
  return (
    `<tr><td><code>${h(g.type)}</code></td><td class="num">${signed(g.count_delta)}</td><td>${sparklineSvg(g.counts)}</td>` +
    `<td class="num">${bytes(g.bytes_delta)}</td><td>${sparklineSvg(g.bytes)}</td>` +
    `<td class="num">${g.bytes_per_min !== null ? `${bytes(g.bytes_per_min)}/min` : '—'}</td>` +
    (withRetained ? `<td class="num">${retained !== null ? `${(retained / MiB).toFixed(1)} MB` : '—'}</td>` : '') +
    `<td><code>${h(g.retainer_path ?? '?')}</code>${share}</td></tr>`
  );
}

/** Render a Profile report as a self-contained HTML document. */
export function renderProfileHtml(r: ProfileReport, top: number): string {
  const who = r.target.pid ? `PID ${r.target.pid} (${r.target.runtime})` : 'snapshot files';
  const span = r.snapshots.length > 1 ? r.snapshots[r.snapshots.length - 1]!.t_s - r.snapshots[0]!.t_s : 0;
  const kind = r.target.runtime === 'python' ? 'censuses' : 'snapshots';
  const title = `${who}: ${r.snapshots.length} ${kind} over ${formatDuration(span)}`;
  const growing = r.growing.slice(0, top);
  const headline = growing.length === 0
    ? 'No type grew in every interval: nothing is accumulating between these snapshots.'
    : `${r.growing.length} type${r.growing.length === 1 ? '' : 's'} grew in every interval; first, ${growing[0]!.type}, by ${bytes(growing[0]!.bytes_delta)} (${signed(growing[0]!.count_delta)} objects), held by ${growing[0]!.retainer_path ?? 'an unknown holder'}.`;
  const snaps = r.snapshots
    .map((s) => `<tr><td class="num">${formatDuration(s.t_s)}</td><td class="num">${num(s.objects)}</td><td class="num">${(s.bytes / MiB).toFixed(1)} MB</td><td class="num">${typeof s.pause_s === 'number' ? `${s.pause_s.toFixed(2)} s` : '—'}</td><td><code>${h(s.file ?? '')}</code></td></tr>`)
    .join('');
  // Retained bytes only where the capture measured them (not every runtime or mode does).
  const withRetained = growing.some((g) => retainedOf(g) !== null);
  const table = growing.length
    ? `<table id="growers"><thead><tr><th>Type</th><th>Objects</th><th>Counts</th><th>Bytes</th><th>Bytes per snapshot</th><th>Rate</th>${withRetained ? '<th>Retained</th>' : ''}<th>Held by</th></tr></thead><tbody>${growing.map((g) => growerRow(g, withRetained)).join('')}</tbody></table>`
    : '';
  const warnings = (r.warnings ?? []).map((w) => `<p class="check">warning: ${h(w)}</p>`).join('');
  const body =
    `<header><h1>leak-detective profile</h1><p class="title">${h(title)}</p>` +
    `<p class="headline status-${growing.length ? 'leak' : 'no-leak'}">${h(headline)}</p></header>` +
    `<main><section><h2>Types that grew in every interval${growing.length ? ` (top ${growing.length})` : ''}</h2>${table}${warnings}</section>` +
    `<section><h2>${kind[0]!.toUpperCase()}${kind.slice(1)}</h2><table id="snapshots"><thead><tr><th>At</th><th>Objects</th><th>Bytes</th><th>Target paused</th><th>File</th></tr></thead><tbody>${snaps}</tbody></table></section></main>`;
  return renderPage({ title: `leak-detective profile: ${title}`, body });
}
