// The HTML reports in a real browser (Debian's Chromium, no network): they load without a console
// error, the charts draw, the table is worst first, zoom works, and a 24-hour 100,000-point session
// renders. Screenshots are kept in the temp dir (path printed) for a human to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { ROOT } from '../helpers/paths.js';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, startFixture } from '../helpers/procs.js';
import { writeLongSession, writeTreeSession } from '../helpers/session-db.js';
import { inkedPixels, launchOfflineBrowser, type OfflineBrowser } from '../helpers/browser.js';
import { waitForGrowth } from '../helpers/wait.js';
import { trackUntilChecked } from '../helpers/track-until.js';
import type { ProfileReport } from '../../src/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-html-'));
const treeDb = path.join(dir, 'tree.db');
const dayDb = path.join(dir, 'day.db');
let chromium: OfflineBrowser;

before(async () => {
  writeTreeSession(treeDb);
  writeLongSession(dayDb, 100_000);
  chromium = await launchOfflineBrowser();
});
after(async () => {
  await chromium?.close();
  // LD_KEEP_HTML=1 keeps the pages and screenshots to look at; otherwise nothing is left in /tmp.
  if (process.env.LD_KEEP_HTML) console.log(`# pages and screenshots in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

test('leak-report --html: loads offline without console errors, charts drawn, worst first, tree driver, zoom', async () => {
  const file = path.join(dir, 'tree.html');
  const r = await runBin('leak-report', ['--db', treeDb, '--html', file]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]|<img[^>]+src=|url\(/, 'nothing to fetch');
  // The command line holds `</script><!--` and U+2028: the inline JSON must not break on them.
  assert.equal(html.match(/<\/script>/g)!.length, html.match(/<script/g)!.length);
  const json = /<script type="application\/json" id="ld-data">(.*?)<\/script>/s.exec(html)![1]!;
  assert.ok(!json.includes('\u2028') && !json.includes('<'), 'the inline JSON escapes U+2028 and <');
  assert.equal((JSON.parse(json) as { charts: { label: string }[] }).charts[2]!.label, 'python 4242 (main)');
  const { page, blocked, errors } = await chromium.open(file);
  try {
    await page.waitForFunction('window.__leakDetective && window.__leakDetective.charts > 0', { timeout: 20_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, []);
    const classes = await page.$$eval('#summary tbody tr[data-rank]', (trs) => trs.map((t) => `${t.querySelector('a')!.textContent}|${t.getAttribute('data-class')}`));
    assert.deepEqual(classes.slice(0, 3), ['tree total (python 4242 + 9 children)|growing', 'pt_worker_1 4301 (child)|growing', 'python 4242 (main)|growing'], classes.join('\n'));
    assert.equal(classes[classes.length - 1], 'pt_worker_2 4302 (child)|stable');
    assert.equal(classes.length, 5, 'six short-lived helpers are folded, not listed');
    assert.match(await page.$eval('#summary tr.folded', (e) => e.textContent!), /^6 short-lived children/);
    assert.match(await page.$eval('.headline', (e) => e.textContent!), /^Growing: tree total \(python 4242 \+ 9 children\) is growing [\d.]+ MB\/min .*, driven by pt_worker_1 4301 \(child\) at 20\.0 MB\/min\.$/);
    assert.match(await page.$eval('#tree', (e) => e.textContent!), /pt_worker_1 4301 \(child\) drives the tree total/);
    assert.match(await page.$eval('#tree li.folded', (e) => e.textContent!), /^6 short-lived children \(compile_helper ×6\)/);
    // U+2028 is foreign text's line separator: shown escaped, like every control character (text/escape.ts).
    assert.equal(await page.$eval('#p-2 .cmd', (e) => e.textContent!), 'python train.py --epochs 3 </script><!-- \\u{2028}');
    const charts = await page.evaluate('window.__leakDetective.charts');
    assert.equal(charts, 5);
    const ink = await inkedPixels(page, '.chart canvas');
    assert.equal(ink.length, 5);
    for (const n of ink) assert.ok(n > 500, `a chart drew only ${n} pixels`);
    // The cycling worker's baseline is its troughs, drawn as points.
    const pointsShown = "(i) => { const u = window.__leakDetective.plots[i]; const s = u.series[2].points.show; return typeof s === 'function' ? s(u, 2) : s; }";
  assert.equal(await page.evaluate(`(${pointsShown})(3)`), true, 'the cycling worker shows its troughs');
  assert.equal(await page.evaluate(`(${pointsShown})(1)`), false, 'a steady grower shows a line, not points');
    // Zoom: drag across the first chart narrows its x range; double-click restores it.
    const span = () => page.evaluate('(() => { const s = window.__leakDetective.plots[0].scales.x; return s.max - s.min; })()') as Promise<number>;
    const full = await span();
    await page.$eval('#chart-0', (e) => e.scrollIntoView({ block: 'center' }));
    const box = (await (await page.$('#chart-0 .u-over'))!.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const zoomed = await span();
    assert.ok(zoomed < full * 0.5, `zoomed ${zoomed} of ${full}`);
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height / 2, { clickCount: 2 });
    assert.ok(Math.abs((await span()) - full) < full * 0.01, 'double-click resets');
    await page.screenshot({ path: path.join(dir, 'tree.png'), fullPage: true });
  } finally {
    await page.close();
  }
});

test('a chart read without hovering: the legend shows the last point, the 95 % band has its row, dates are ISO 8601 with the zone', async () => {
  const file = path.join(dir, 'legend.html');
  const r = await runBin('leak-report', ['--db', treeDb, '--html', file], { env: { TZ: 'Asia/Kolkata' } });
  assert.equal(r.code, 0, r.stderr);
  const { page, errors } = await chromium.open(file);
  try {
    await page.emulateTimezone('Asia/Kolkata'); // +05:30: a zone whose offset cannot be mistaken for UTC
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction('window.__leakDetective && window.__leakDetective.charts > 0', { timeout: 20_000 });
    assert.deepEqual(errors, []);
    const legend = () => page.$$eval('#chart-0 .u-legend tr', (trs) => trs.filter((t) => getComputedStyle(t).display !== 'none').map((t) => [t.querySelector('.u-label')?.textContent ?? '', t.querySelector('.u-value')?.textContent ?? '']));
    // What the page was given: the last point of the first chart.
    const lastPoint = await page.evaluate(`(() => { const u = window.__leakDetective.plots[0]; let i = u.data[0].length - 1; while (u.data[1][i] == null) i--; return [u.data[0][i], u.data[1][i]]; })()`) as [number, number];
    const iso = new Date((lastPoint[0] + 5.5 * 3600) * 1000).toISOString().slice(0, 19) + '+05:30';
    const before = await legend();
    assert.deepEqual(before[0], ['time (UTC+05:30)', iso], JSON.stringify(before));
    assert.match(before[1]![1], /^\d+(\.\d)? MB$/, `the last value, not "--": ${JSON.stringify(before)}`);
    assert.equal(Number(before[1]![1].replace(' MB', '')).toFixed(0), lastPoint[1].toFixed(0));
    const band = before.find(([label]) => label === '95 % interval of the rate (shaded band)');
    assert.ok(band, `the band is in the legend: ${JSON.stringify(before)}`);
    assert.match(band![1], /^\d+(\.\d)? MB – \d+(\.\d)? MB$/);
    // The time axis' ticks: the date (ISO) on the first, times of day after; the zone in the axis label.
    const ticks = await page.evaluate('window.__leakDetective.plots[0].axes[0]._values') as string[];
    assert.match(ticks[0]!, /^\d{4}-\d{2}-\d{2}\n\d{2}:\d{2}(:\d{2})?$/, JSON.stringify(ticks));
    for (const t of ticks) assert.doesNotMatch(t, /\//, 'no US-style dates');
    assert.equal(await page.evaluate('window.__leakDetective.plots[0].axes[0].label'), 'time (UTC+05:30)');
    // Hover shows the point under the cursor; leaving the chart brings the last point back.
    await page.$eval('#chart-0', (e) => e.scrollIntoView({ block: 'center' }));
    const box = (await (await page.$('#chart-0 .u-over'))!.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    const hovered = await legend();
    assert.notEqual(hovered[0]![1], iso, 'hovering moves the legend');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height + 200);
    assert.deepEqual((await legend())[0], ['time (UTC+05:30)', iso]);
  } finally {
    await page.close();
  }
});

test('a 24-hour, 100,000-point session renders, downsampled per pixel, and is screenshot', async () => {
  const file = path.join(dir, 'day.html');
  const r = await runBin('leak-report', ['--db', dayDb, '--html', file, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', '--quiet prints nothing');
  const data = JSON.parse(/<script type="application\/json" id="ld-data">(.*?)<\/script>/s.exec(readFileSync(file, 'utf8'))![1]!) as { charts: { cols: unknown[][] }[] };
  const xs = data.charts[0]!.cols[0]!;
  assert.ok(xs.length <= 2 * 1600 + 1600 + 1, `${xs.length} points drawn`);
  assert.ok(xs.length > 1600, 'still about two points per pixel');
  const { page, blocked, errors } = await chromium.open(file, { width: 1600, height: 900 });
  try {
    await page.waitForFunction('window.__leakDetective && window.__leakDetective.charts === 1', { timeout: 30_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, []);
    const [ink] = await inkedPixels(page, '.chart canvas');
    assert.ok(ink! > 2000, `drew ${ink} pixels`);
    // The time axis is wall-clock: the x range spans the day.
    const range = (await page.evaluate('(() => { const s = window.__leakDetective.plots[0].scales.x; return [s.min, s.max]; })()')) as [number, number];
    assert.ok(Math.abs(range[1] - range[0] - 86_400) < 600, String(range));
    const shot = path.join(dir, 'day.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000);
  } finally {
    await page.close();
  }
});

test('leak-profile --html: every grower with counts, bytes, sparklines and holder path as in the JSON; --quiet prints nothing', async () => {
  // Three heap snapshots of a real Node process whose Map cache grows between them (written by the
  // process itself: no inspector timing involved), then the offline mode on them.
  const snaps = [1, 2, 3].map((i) => path.join(dir, `cache-${i}.heapsnapshot`));
  const script = `const v8 = require('v8'); class TokenizedSample { constructor(i) { this.tokens = new Array(32).fill(i); } }
    const processor = { tokenizer: { _cache: new Map() } }; let n = 0;
    for (const file of ${JSON.stringify(snaps)}) { for (let k = 0; k < 3000; k++, n++) processor.tokenizer._cache.set('k' + n, new TokenizedSample(n)); v8.writeHeapSnapshot(file); }
    globalThis.keep = processor;`;
  const w = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(w.status, 0, w.stderr);
  const file = path.join(dir, 'profile.html');
  const r = await runBin('leak-profile', ['--snapshot', ...snaps, '--html', file, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout) as ProfileReport;
  assert.equal(rep.growing[0]!.type, 'TokenizedSample', JSON.stringify(rep.growing.map((g) => g.type)));
  assert.ok(rep.growing.length > 0);
  const { page, blocked, errors } = await chromium.open(file);
  try {
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, []);
    const rows = await page.$$eval('#growers tbody tr.grower', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.equal(rows.length, Math.min(20, rep.growing.length));
    rows.forEach((cells, i) => {
      const g = rep.growing[i]!;
      assert.equal(cells[0], `${g.folded_into ? '└ ' : ''}${g.type}`);
      assert.equal(cells[1], `+${g.count_delta.toLocaleString('en-US')}`);
      const holder = g.folded_into ? `inside ${g.folded_into}` : (g.retainer_path ?? '?');
      assert.ok(cells[cells.length - 1]!.startsWith(holder), `${cells.at(-1)} vs ${holder}`);
      if (typeof g.retained_bytes === 'number') assert.match(cells[5]!, /^\+[\d.]+ [KM]B$/, 'the retained column');
    });
    assert.ok(rows[0]!.at(-1)!.startsWith('processor.tokenizer._cache (Map)'), rows[0]!.at(-1));
    // The holder opens into its retainer path, from the GC roots to the new objects (#23.3).
    const holder = '#growers tbody tr.grower:first-child details.holder';
    assert.equal(await page.$eval(holder, (d) => (d as HTMLDetailsElement).open), false, 'closed until clicked');
    assert.equal(await page.$eval(`${holder} summary`, (e) => e.textContent), 'processor.tokenizer._cache (Map)');
    await page.click(`${holder} summary`);
    assert.equal(await page.$eval(holder, (d) => (d as HTMLDetailsElement).open), true);
    const steps = await page.$$eval(`${holder} ol.retainer-path li`, (lis) => lis.map((li) => [li.textContent, (li as HTMLElement).offsetHeight > 0]));
    assert.deepEqual(steps, [['GC roots', true], ['processor', true], ['.tokenizer', true], ['._cache (Map)', true], ['TokenizedSample (the new objects)', true]]);
    assert.equal(await page.$$eval('#growers tbody tr.grower:first-child svg.spark polyline', (p) => p.length), 2);
    assert.equal(await page.$$eval('#snapshots tbody tr', (t) => t.length), 3);
    await page.screenshot({ path: path.join(dir, 'profile.png'), fullPage: true });
  } finally {
    await page.close();
  }
  // Offline on the same snapshot files, quietly: nothing printed, the file still written.
  const quiet = path.join(dir, 'quiet.html');
  const q = await runBin('leak-profile', ['--snapshot', ...rep.snapshots.map((s) => s.file!), '--html', quiet, '--quiet']);
  assert.equal(q.code, 0, q.stderr);
  assert.equal(q.stdout + q.stderr, '');
  assert.match(readFileSync(quiet, 'utf8'), /<table id="growers">/);
});

test('leak-track --html writes the report at the end; leak-check --quiet says it by exit code alone', async () => {
  const leaker = startFixture('leaker.py', ['--rate', '120', '--base', '20', '--lifetime', '600']);
  try {
    // Past its start-up (a 4 MB release ~3 s in made a 10 s track read insufficient-data on a loaded
    // box): the leaker has grown 8 MB on its own, not "500 ms have passed".
    await waitForGrowth(leaker.pid!, 8);
    const db = path.join(dir, 'track.db');
    const file = path.join(dir, 'track.html');
    // Until leak-check calls it a FAIL at 5 MB/min (the leaker then exits, the tracker with it): a fixed
    // 10 s read insufficient-data on a loaded box.
    const r = await trackUntilChecked(leaker, db, ['--interval', '0.25', '--html', file], ['--max-rate', '5']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`HTML report written to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.stdout, /^\s+PROCESS\s+CLASS/m, 'the closing summary has the table');
    const { page, blocked, errors } = await chromium.open(file);
    try {
      await page.waitForFunction('window.__leakDetective && window.__leakDetective.charts > 0', { timeout: 20_000 });
      assert.deepEqual([errors, blocked], [[], []]);
      assert.match(await page.$eval('#summary tbody tr a', (a) => a.textContent!), new RegExp(`^python3 ${leaker.pid} \\(main\\)$`));
      const [ink] = await inkedPixels(page, '.chart canvas');
      assert.ok(ink! > 200, `drew ${ink} pixels`);
    } finally {
      await page.close();
    }
    const fail = await runBin('leak-check', ['--db', db, '--max-rate', '5', '--quiet']);
    assert.equal(fail.code, 1, fail.stderr);
    assert.equal(fail.stdout + fail.stderr, '');
    const pass = await runBin('leak-check', ['--db', db, '--max-rate', '1GB/min', '--quiet']);
    assert.equal(pass.code, 0);
    assert.equal(pass.stdout + pass.stderr, '');
  } finally {
    leaker.kill();
  }
});

test('a trace has no wall clock: the HTML axis counts elapsed time', async () => {
  const csv = path.join(dir, 'trace.csv');
  const lines = ['t_s,uss_bytes'];
  for (let i = 0; i <= 720; i++) lines.push(`${i * 5},${Math.round((1000 + i * 5 * (30 / 60) + Math.sin(i) * 0.5) * 1048576)}`);
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const file = path.join(dir, 'trace.html');
  const r = await runBin('leak-report', ['--trace', csv, '--html', file, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const { page, blocked, errors } = await chromium.open(file);
  try {
    await page.waitForFunction('window.__leakDetective && window.__leakDetective.charts === 1', { timeout: 20_000 });
    assert.deepEqual([errors, blocked], [[], []]);
    // uPlot paints axes on the canvas: ask the chart for its x scale and tick labels.
    const x = (await page.evaluate(`(() => { const u = window.__leakDetective.plots[0];
      return { time: u.scales.x.time, min: u.scales.x.min, max: u.scales.x.max, labels: u.axes[0].values(u, [0, 600, 3600]) }; })()`)) as { time: boolean; min: number; max: number; labels: string[] };
    assert.deepEqual(x, { time: false, min: 0, max: 3600, labels: ['0s', '10m00s', '1h00m'] });
    assert.match(await page.$eval('.headline', (e) => e.textContent!), /^Growing: psrecord|^Growing: .* is growing 30\.0 MB\/min/);
  } finally {
    await page.close();
  }
});

test('from the packed tarball (as users install it), --html finds its page assets', async () => {
  const out = path.join(dir, 'pack');
  mkdirSync(out);
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const tgz = path.join(out, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  assert.equal(spawnSync('tar', ['-xzf', tgz, '-C', out]).status, 0);
  const pkg = path.join(out, 'package');
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  const csv = path.join(dir, 'packed.csv');
  writeFileSync(csv, `t_s,rss_bytes\n${Array.from({ length: 60 }, (_, i) => `${i},${(100 + i) * 1048576}`).join('\n')}\n`);
  const file = path.join(dir, 'packed.html');
  const r = spawnSync(process.execPath, [path.join(pkg, 'dist/src/cli/bin/leak-report.js'), '--trace', csv, '--html', file, '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(file, 'utf8');
  assert.ok(html.includes(readFileSync(path.join(ROOT, 'src/report/html/assets/session-page.js'), 'utf8').slice(0, 200)), 'the page script is inlined');
});

test('--html to a directory that does not exist: exit 2 and one line, before any work', async () => {
  const bad = path.join(dir, 'no-such-dir', 'r.html');
  for (const [bin, args] of [['leak-report', ['--db', treeDb]], ['leak-track', ['--db', path.join(dir, 'never.db'), '--html', bad, '--duration', '5s', '--', process.execPath, '-e', '1']], ['leak-profile', ['--snapshot', 'a', 'b']]] as const) {
    const r = await runBin(bin, bin === 'leak-track' ? [...args] : [...args, '--html', bad]);
    assert.equal(r.code, 2, `${bin}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, new RegExp(`^${bin}: --html: directory .*no-such-dir does not exist \\(ENOENT\\); create it or pick another path$`, "m"));
  }
  assert.ok(!existsSync(bad));
  assert.ok(!existsSync(path.join(dir, 'never.db')), 'leak-track refused before opening its DB');
});
