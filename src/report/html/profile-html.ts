// The profile report as one HTML file: the types that grew in every interval with their counts,
// bytes, retained bytes (where the capture measured them), a sparkline of each across snapshots, the
// holder path (and the clusters of holders where there are several), then device memory and the
// snapshots taken. The same facts as the text table (profile-text.ts), laid out for a browser.
import type { GrowingType, ProfileReport } from '../../types.js';
import { formatDuration, MiB } from '../../units.js';
import { escapeHtml as h, renderPage } from './page-shell.js';
import { sparklineSvg } from './sparkline-svg.js';
import { budgetSection } from './budget-html.js';

const num = (n: number) => n.toLocaleString('en-US');
const signed = (n: number) => `${n >= 0 ? '+' : ''}${num(Math.round(n))}`;
function bytes(b: number): string {
  const mb = b / MiB;
  return Math.abs(mb) >= 1 ? `${b >= 0 ? '+' : ''}${mb.toFixed(1)} MB` : `${b >= 0 ? '+' : ''}${(b / 1024).toFixed(1)} KB`;
}

/**
 * The holder path, expandable into its steps from the GC roots to the new objects (as DevTools and
 * memlab let one open a retainer path): each hop (` → `) a step, and a plain property chain
 * (`processor.tokenizer._cache (Map)`) one step per property.
 */
export function retainerSteps(path: string, type: string, root = 'GC roots'): string[] {
  const steps: string[] = [];
  for (const hop of path.split(' → ')) {
    const chain = /^[\w$]+((\.[\w$]+)|\[(…|\d+|'[^']*')\])+( \(.*\))?$/.test(hop);
    steps.push(...(chain ? hop.split(/(?=\.[\w$]+|\[)(?![^(]*\))/) : [hop]));
  }
  return [root, ...steps, `${type} (the new objects)`];
}

function holderDetails(path: string, type: string, share: string, root: string): string {
  const steps = retainerSteps(path, type, root).map((st) => `<li><code>${h(st)}</code></li>`).join('');
  return `<details class="holder"><summary><code>${h(path)}</code>${share}</summary><ol class="retainer-path">${steps}</ol></details>`;
}

export function growerRows(g: GrowingType, withRetained: boolean, cols: number, root = 'GC roots'): string {
  const share = g.retainer_share !== undefined && g.retainer_share !== null && g.retainer_share < 0.95 ? ` <span class="ci">(${Math.round(g.retainer_share * 100)} % of new ones)</span>` : '';
  // Ranked by what the new objects retain where that was measured; its rate too.
  const perMin = typeof g.retained_bytes_per_min === 'number' ? g.retained_bytes_per_min : g.bytes_per_min;
  const held = g.folded_into ? `inside <code>${h(g.folded_into)}</code>` : g.retainer_path ? holderDetails(g.retainer_path, g.type, share, root) : '<code>?</code>';
  const rows = [
    `<tr class="grower${g.folded_into ? ' folded-type' : ''}"><td>${g.folded_into ? '└ ' : ''}<code>${h(g.type)}</code></td><td class="num">${signed(g.count_delta)}</td><td>${sparklineSvg(g.counts)}</td>` +
      `<td class="num">${bytes(g.bytes_delta)}</td><td>${sparklineSvg(g.bytes)}</td>` +
      (withRetained ? `<td class="num">${typeof g.retained_bytes === 'number' ? bytes(g.retained_bytes) : '—'}</td>` : '') +
      `<td class="num">${perMin !== null ? `${bytes(perMin)}/min` : '—'}</td><td>${held}</td></tr>`,
  ];
  if ((g.clusters?.length ?? 0) > 1) {
    for (const c of g.clusters!) {
      rows.push(`<tr class="cluster"><td colspan="${cols - 1}">cluster: ${signed(c.count)} objects, ${bytes(c.retained_bytes)} retained (${Math.round(c.share * 100)} %)</td><td><code>${h(c.path)}</code></td></tr>`);
    }
  }
  if (g.note) rows.push(`<tr class="note"><td colspan="${cols}">↳ ${h(g.note)}</td></tr>`);
  return rows.join('');
}

function deviceSection(r: ProfileReport): string {
  if (!r.device?.length) return '';
  const rows = r.device.map((d) => `<tr><td>${h(d.name)}</td><td>${sparklineSvg(d.bytes)}</td><td class="num">${(d.bytes[0]! / MiB).toFixed(1)} MB</td><td class="num">${(d.bytes[d.bytes.length - 1]! / MiB).toFixed(1)} MB</td><td class="num">${d.bytes_per_min !== null ? `${bytes(d.bytes_per_min)}/min` : '—'}</td></tr>`);
  return `<section id="device"><h2>Device memory (GPU, not in the bytes above)</h2><table><thead><tr><th>Series</th><th>Across censuses</th><th>First</th><th>Last</th><th>Rate</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** Render a Profile report as a self-contained HTML document. */
export function renderProfileHtml(r: ProfileReport, top: number): string {
  const who = r.target.pid ? `PID ${r.target.pid} (${r.target.runtime})` : 'snapshot files';
  const span = r.snapshots.length > 1 ? r.snapshots[r.snapshots.length - 1]!.t_s - r.snapshots[0]!.t_s : 0;
  const kind = r.target.runtime === 'python' ? 'censuses' : 'snapshots';
  const title = `${who}: ${r.snapshots.length} ${kind} ${r.timing === 'unknown' ? '(time between them unknown)' : `over ${formatDuration(span)}`}`;
  const growing = r.growing.slice(0, top);
  const first = growing[0];
  const headline = !first
    ? 'No type grew in every interval: nothing is accumulating between these snapshots.'
    : `${r.growing.length} type${r.growing.length === 1 ? '' : 's'} grew in every interval; first, ${first.type}, by ${bytes(first.bytes_delta)} (${signed(first.count_delta)} objects)` +
      `${typeof first.retained_bytes === 'number' ? `, retaining ${bytes(first.retained_bytes)}` : ''}, held by ${first.retainer_path ?? 'an unknown holder'}.`;
  const snaps = r.snapshots
    .map((s) => `<tr><td class="num">${formatDuration(s.t_s)}</td><td class="num">${num(s.objects)}</td><td class="num">${(s.bytes / MiB).toFixed(1)} MB</td><td class="num">${typeof s.pause_s === 'number' ? `${s.pause_s.toFixed(2)} s` : '—'}</td><td><code>${h(s.file ?? '')}</code></td></tr>`)
    .join('');
  // Retained bytes only where the capture measured them (Node's dominator tree; not a Python census).
  const withRetained = growing.some((g) => typeof g.retained_bytes === 'number');
  const head = ['Type', 'Objects', 'Counts', 'Bytes', 'Bytes per snapshot', ...(withRetained ? ['Retained'] : []), 'Rate', 'Held by'];
  const table = growing.length
    ? `<table id="growers"><thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${growing.map((g) => growerRows(g, withRetained, head.length, r.target.runtime === 'python' ? 'module globals and live frames' : 'GC roots')).join('')}</tbody></table>`
    : '';
  const warnings = (r.warnings ?? []).map((w) => `<p class="check">warning: ${h(w)}</p>`).join('');
  const body =
    `<header><h1>leak-detective profile</h1><p class="title">${h(title)}</p>` +
    `<p class="headline status-${growing.length ? 'leak' : 'no-leak'}">${h(headline)}</p></header>` +
    `<main>${budgetSection(r)}<section><h2>Types that grew in every interval${growing.length ? ` (top ${growing.length}${withRetained ? ', ranked by the bytes their new objects retain' : ''})` : ''}</h2>${table}${warnings}</section>` +
    deviceSection(r) +
    `<section><h2>${kind[0]!.toUpperCase()}${kind.slice(1)}</h2><table id="snapshots"><thead><tr><th>At</th><th>Objects</th><th>Bytes</th><th>Target paused</th><th>File</th></tr></thead><tbody>${snaps}</tbody></table></section></main>`;
  return renderPage({ title: `leak-detective profile: ${title}`, body });
}
