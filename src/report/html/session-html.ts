// The session report as one HTML file: the verdict in words and a worst-first table at the top, then
// per process a zoomable uPlot chart (series, fitted baseline, rate interval band, cycle troughs) with
// the verdict's explanation, and the tree with the child that drives it.
import type { ComposedRow, ComposedSession } from '../compose-session.js';
import { formatDuration, formatMb } from '../../units.js';
import { readAsset, readUplot } from './assets.js';
import { buildChartData, CHART_BUCKETS, type ChartData } from './session-chart-data.js';
import { escapeHtml as h, renderPage } from './page-shell.js';
import { sparklineSvg } from './sparkline-svg.js';
import { thin } from './downsample.js';
import { explainSection } from './explain-html.js';

/** More stable processes than this are listed in one compact table (sparklines), not charted one by one. */
export const MAX_CHARTED_STABLE = 6;

const fix = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

function rateCell(r: ComposedRow): string {
  const p = r.row.report;
  if (p.rate_mb_per_min === null) return '—';
  const ci = p.rate_ci95_mb_per_min;
  return `${fix(p.rate_mb_per_min)}${ci ? ` <span class="ci">(${fix(ci[0])} – ${fix(ci[1])})</span>` : ''}`;
}

function summaryTable(s: ComposedSession): string {
  const gated = s.rows.some((r) => r.row.report.verdict !== undefined);
  const head = ['Process', 'Class', 'Rate MB/min (95 % CI)', 'First', 'Last', 'Peak', ...(gated ? ['Verdict'] : [])];
  const line = (r: ComposedRow) => {
    const p = r.row.report;
    const cls = p.classification ?? 'insufficient-data';
    const cells = [
      `<a href="#p-${r.rank}">${h(r.label)}</a>`,
      `<span class="cls cls-${cls}">${cls}</span>`,
      rateCell(r),
      formatMb(p.first_mb),
      formatMb(p.last_mb),
      formatMb(p.max_mb),
      ...(gated ? [`<span class="verdict v-${p.verdict ?? 'none'}">${(p.verdict ?? '—').toUpperCase()}</span>`] : []),
    ];
    return `<tr data-rank="${r.rank}" data-class="${cls}">${cells.map((c, i) => `<td${i >= 2 && i <= 5 ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`;
  };
  const folded = s.folded ? `<tr class="folded"><td colspan="${head.length}">${h(s.folded.text)}</td></tr>` : '';
  return `<table id="summary"><thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${s.rows.map(line).join('')}${folded}</tbody></table>`;
}

function treeSection(s: ComposedSession): string {
  if (!s.tree) return '';
  const driverPid = s.tree.driver?.row.report.pid;
  const items = s.tree.members.map(({ row: r, depth }) => {
    const p = r.row.report;
    const drives = p.pid === driverPid ? ' <strong class="driver">drives the tree</strong>' : '';
    const link = r.rank >= 0 ? `<a href="#p-${r.rank}">${h(r.label)}</a>` : h(r.label);
    return `<li style="margin-left:${depth * 1.5}em">${link} — ${h(r.rateText)}${drives}</li>`;
  });
  const lead = s.tree.driver ? `${h(s.tree.driver.label)} drives the tree total (${h(s.tree.driver.rateText)}).` : 'No single process drives the tree total.';
  if (s.folded) items.push(`<li class="folded" style="margin-left:1.5em">${h(s.folded.text)}</li>`);
  return `<section id="tree"><h2>Process tree</h2><p>${lead}</p><ul class="tree">${items.join('')}</ul></section>`;
}

function processSection(r: ComposedRow, s: ComposedSession): string {
  const p = r.row.report;
  const drivenBy = p.role === 'tree' && s.tree?.driver ? `<p>Driven by ${h(s.tree.driver.label)}: ${h(s.tree.driver.rateText)}.</p>` : '';
  const check = r.checkText ? `<p class="check">${h(r.checkText)}</p>` : '';
  const marked = r.row.windows?.length ? `<p class="windows">Shaded: ${r.row.windows.length} profile window${r.row.windows.length === 1 ? '' : 's'} (leak-track --explain paused or inflated the process), left out of the fit.</p>` : '';
  const chart = r.row.mb.length >= 2 ? `<div class="chart" id="chart-${r.rank}"></div>${marked}` : '<p class="nochart">Too few samples to chart.</p>';
  return (
    `<section class="proc${r.oneLine ? ' quiet' : ''}" id="p-${r.rank}"><h2>${h(r.label)} <small>[${p.metric}]</small></h2>` +
    `<p class="cmd">${h(p.cmdline)}</p>${chart}<p class="explain">${h(r.explanation)}</p>${drivenBy}${check}` +
    `<p class="numbers">first ${formatMb(p.first_mb)} · last ${formatMb(p.last_mb)} · min ${formatMb(p.min_mb)} · max ${formatMb(p.max_mb)} · ${p.samples} samples over ${formatDuration(p.duration_s)}</p></section>`
  );
}

/** Rows that get a chart section; the rest (many stable ones) go to the compact table. */
function chartedRows(s: ComposedSession): { charted: ComposedRow[]; compact: ComposedRow[] } {
  const quiet = s.rows.filter((r) => r.oneLine);
  if (quiet.length <= MAX_CHARTED_STABLE) return { charted: s.rows, compact: [] };
  return { charted: s.rows.filter((r) => !r.oneLine), compact: quiet };
}

function compactTable(rows: ComposedRow[]): string {
  if (!rows.length) return '';
  const line = (r: ComposedRow) => {
    const p = r.row.report;
    const xy = thin(r.row.t_s, r.row.mb, 80);
    return `<tr id="p-${r.rank}"><td>${h(r.label)}</td><td>${sparklineSvg(xy.y, 160, 22, Math.max(2, Math.abs(p.last_mb ?? 0) * 0.02))}</td><td class="num">${formatMb(p.last_mb)}</td><td>${h(r.explanation)}</td></tr>`;
  };
  return `<section id="stable"><h2>${rows.length} processes with nothing to chart</h2><table><thead><tr><th>Process</th><th>Series</th><th>Last</th><th>Verdict</th></tr></thead><tbody>${rows.map(line).join('')}</tbody></table></section>`;
}

/** The page's data: one chart per charted process, on epoch seconds (or seconds since start for a trace). */
export function buildPageData(s: ComposedSession): { realTime: boolean; charts: ChartData[] } {
  const offset = s.startMs === null ? 0 : s.startMs / 1000;
  // A stable process's small chart needs fewer points.
  const { charted } = chartedRows(s);
  return { realTime: s.startMs !== null, charts: charted.filter((r) => r.row.mb.length >= 2).map((r) => buildChartData(r, offset, r.oneLine ? 400 : CHART_BUCKETS)) };
}

/** Render one composed session as a self-contained HTML document. */
export function renderSessionHtml(s: ComposedSession): string {
  const uplot = readUplot();
  const body =
    `<header><h1>leak-detective report</h1><p class="title">${h(s.title)}</p>` +
    `<p class="headline status-${s.status}">${h(s.headline)}</p></header>` +
    `<main>${explainSection(s.report.explain ?? [])}${summaryTable(s)}${treeSection(s)}${chartedRows(s).charted.map((r) => processSection(r, s)).join('')}${compactTable(chartedRows(s).compact)}` +
    `<p class="hint">Drag across a chart to zoom, double-click to reset. Band: the rate's 95 % interval about the fitted baseline.</p></main>`;
  return renderPage({ title: `leak-detective: ${s.title}`, css: uplot.css, body, data: buildPageData(s), scripts: [uplot.js, readAsset('session-page.js')] });
}
