// `node dist/bench/html-render.js`: the HTML report of a 24-hour, 100,000-point session: how long it
// takes to write (read, analyse, render) and to draw in headless Chromium, against the alternatives
// measured on the same data: uPlot fed all 100,000 points, and a library-free inline SVG polyline.
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { writeLongSession } from '../test/helpers/session-db.js';
import { launchOfflineBrowser } from '../test/helpers/browser.js';
import { openDbForRead } from '../src/store/open-db.js';
import { readSession } from '../src/store/read-session.js';
import { analyseAndCompose } from '../src/report/compose-session.js';
import { renderSessionHtml } from '../src/report/html/session-html.js';
import { readUplot } from '../src/report/html/assets.js';
import { renderPage } from '../src/report/html/page-shell.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A page that draws all points with uPlot, no downsampling. */
function uplotAllPoints(t: number[], mb: number[]): string {
  const js = `var d=JSON.parse(document.getElementById('ld-data').textContent);var el=document.getElementById('c');
var u=new uPlot({width:1400,height:260,scales:{x:{time:true}},series:[{},{stroke:'#2563eb',width:1}]},d,el);window.__leakDetective={charts:1,plots:[u]};`;
  return renderPage({ title: 'uPlot, 100k points', css: readUplot().css, body: '<div id="c"></div>', data: [t, mb], scripts: [readUplot().js, js] });
}

/** A page that draws all points as one SVG polyline (no chart library). */
function svgAllPoints(t: number[], mb: number[]): string {
  const lo = Math.min(...mb), hi = Math.max(...mb), t0 = t[0]!, span = t[t.length - 1]! - t0;
  const pts = t.map((x, i) => `${(((x - t0) / span) * 1400).toFixed(1)},${(260 - ((mb[i]! - lo) / (hi - lo)) * 260).toFixed(1)}`).join(' ');
  const js = `requestAnimationFrame(function(){requestAnimationFrame(function(){window.__leakDetective={charts:1};});});`;
  return renderPage({ title: 'SVG, 100k points', body: `<svg width="1400" height="260"><polyline fill="none" stroke="#2563eb" points="${pts}"/></svg>`, scripts: [js] });
}

/** Run the benchmark; returns the markdown table. */
export async function main(points = 100_000, runs = 3): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-bench-html-'));
  const dbFile = path.join(dir, 'day.db');
  const id = writeLongSession(dbFile, points);
  const write: number[] = [];
  let html = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const db = openDbForRead(dbFile);
    const s = readSession(db, id);
    db.close();
    html = renderSessionHtml(analyseAndCompose(s));
    write.push(performance.now() - t0);
  }
  const ours = path.join(dir, 'ours.html');
  writeFileSync(ours, html);
  // The raw series for the alternatives: every sample.
  const db = openDbForRead(dbFile);
  const raw = readSession(db, id, Infinity);
  db.close();
  const p = raw.processes[0]!;
  const t = p.t_ms.map((x) => x / 1000);
  const mb = p.uss.map((v) => Math.round((v! / 1048576) * 100) / 100);
  const pages: [string, string][] = [
    ['leak-detective (uPlot, min/max per pixel)', ours],
    ['uPlot, all 100,000 points', path.join(dir, 'uplot-all.html')],
    ['inline SVG polyline, all points (no library)', path.join(dir, 'svg-all.html')],
  ];
  writeFileSync(pages[1]![1], uplotAllPoints(t, mb));
  writeFileSync(pages[2]![1], svgAllPoints(t, mb));
  const chromium = await launchOfflineBrowser();
  const lines = ['| page | file size | draw in Chromium (load → drawn, median of 3) | + screenshot | zoom redraw |', '|---|---|---|---|---|'];
  // Ten zoom steps in and out through uPlot's own setScale, as a drag does: ms per redraw.
  // uPlot draws in a microtask after setScale; awaiting one after it times the redraw itself.
  const zoom = `(async () => { const u = window.__leakDetective.plots && window.__leakDetective.plots[0]; if (!u) return null;
    const x = u.data[0], a = x[0], b = x[x.length - 1]; let total = 0;
    for (let i = 1; i <= 10; i++) { const w = (b - a) / (i + 1); const t0 = performance.now();
      u.setScale('x', { min: a + w, max: a + 2 * w }); await Promise.resolve(); await Promise.resolve(); total += performance.now() - t0; }
    u.setScale('x', { min: a, max: b }); return total / 10; })()`;
  try {
    for (const [name, file] of pages) {
      const draw: number[] = [];
      const shot: number[] = [];
      const zooms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const { page, errors } = await chromium.open(file, { width: 1600, height: 900 });
        await page.waitForFunction('window.__leakDetective && window.__leakDetective.charts > 0', { timeout: 60_000 });
        draw.push(performance.now() - t0);
        await page.screenshot({ path: path.join(dir, `${path.basename(file, '.html')}.png`) });
        shot.push(performance.now() - t0);
        const z = (await page.evaluate(zoom)) as number | null;
        if (z !== null) zooms.push(z);
        if (errors.length) throw new Error(`${name}: ${errors.join('; ')}`);
        await page.close();
      }
      lines.push(`| ${name} | ${(statSync(file).size / 1024).toFixed(0)} KB | ${median(draw).toFixed(0)} ms | ${median(shot).toFixed(0)} ms | ${zooms.length ? `${median(zooms).toFixed(1)} ms` : 'none'} |`);
    }
  } finally {
    await chromium.close();
  }
  const out = [
    `${points.toLocaleString('en-US')} samples over 24 h; writing the report (read the DB, analyse, render): median ${median(write).toFixed(0)} ms.`,
    '',
    ...lines,
    '',
    `(pages and screenshots in ${dir})`,
  ].join('\n');
  console.log(out);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
