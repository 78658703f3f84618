// The HTML reports in a real browser (Debian's Chromium, no network): they load without a console
// error, the charts draw, the table is worst first, zoom works, and a 24-hour 100,000-point session
// renders. Screenshots are kept in the temp dir (path printed) for a human to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, startFixture, sleep } from '../helpers/procs.js';
import { writeLongSession, writeTreeSession } from '../helpers/session-db.js';
import { inkedPixels, launchOfflineBrowser, type OfflineBrowser } from '../helpers/browser.js';
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
  console.log(`# screenshots in ${dir}`);
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
  assert.equal((JSON.parse(json) as { charts: { label: string }[] }).charts[1]!.label, 'python 4242 (main)');
  const { page, blocked, errors } = await chromium.open(file);
  try {
    await page.waitForFunction('window.__leakDetective && window.__leakDetective.charts > 0', { timeout: 20_000 });
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, []);
    const classes = await page.$$eval('#summary tbody tr[data-rank]', (trs) => trs.map((t) => `${t.querySelector('a')!.textContent}|${t.getAttribute('data-class')}`));
    assert.equal(classes[0], 'pt_worker_1 4301 (child)|growing', classes.join('\n'));
    assert.equal(classes[1], 'python 4242 (main)|growing');
    assert.equal(classes[classes.length - 1], 'pt_worker_2 4302 (child)|stable');
    assert.equal(classes.length, 5, 'six short-lived helpers are folded, not listed');
    assert.match(await page.$eval('#summary tr.folded', (e) => e.textContent!), /^6 short-lived children/);
    assert.match(await page.$eval('.headline', (e) => e.textContent!), /^Growing: pt_worker_1 4301 \(child\) is growing 20\.0 MB\/min/);
    assert.match(await page.$eval('#tree', (e) => e.textContent!), /pt_worker_1 4301 \(child\) drives the tree total/);
    assert.equal(await page.$eval('#p-1 .cmd', (e) => e.textContent!), 'python train.py --epochs 3 </script><!-- \u2028');
    const charts = await page.evaluate('window.__leakDetective.charts');
    assert.equal(charts, 5);
    const ink = await inkedPixels(page, '.chart canvas');
    assert.equal(ink.length, 5);
    for (const n of ink) assert.ok(n > 500, `a chart drew only ${n} pixels`);
    // The cycling worker's baseline is its troughs, drawn as points.
    const pointsShown = "(i) => { const u = window.__leakDetective.plots[i]; const s = u.series[2].points.show; return typeof s === 'function' ? s(u, 2) : s; }";
  assert.equal(await page.evaluate(`(${pointsShown})(3)`), true, 'the cycling worker shows its troughs');
  assert.equal(await page.evaluate(`(${pointsShown})(0)`), false, 'a steady grower shows a line, not points');
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
  const svc = startFixture('node-cache-service.js', ['--rate', '2000', '--lifetime', '60']);
  let rep: ProfileReport;
  const file = path.join(dir, 'profile.html');
  try {
    await sleep(1000);
    const r = await runBin('leak-profile', ['--pid', String(svc.pid), '--snapshots', '3', '--interval', '2', '--out', dir, '--html', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    rep = JSON.parse(r.stdout) as ProfileReport;
  } finally {
    svc.kill();
  }
  assert.ok(rep.growing.length > 0);
  const { page, blocked, errors } = await chromium.open(file);
  try {
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, []);
    const rows = await page.$$eval('#growers tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    assert.equal(rows.length, Math.min(20, rep.growing.length));
    rows.forEach((cells, i) => {
      const g = rep.growing[i]!;
      assert.equal(cells[0], g.type);
      assert.equal(cells[1], `+${g.count_delta.toLocaleString('en-US')}`);
      assert.match(cells[cells.length - 1]!, new RegExp(`^${(g.retainer_path ?? '?').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    });
    assert.equal(await page.$$eval('#growers tbody tr:first-child svg.spark polyline', (p) => p.length), 2);
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

test('--html to a directory that does not exist: exit 2 and one line, before any work', async () => {
  const bad = path.join(dir, 'no-such-dir', 'r.html');
  for (const [bin, args] of [['leak-report', ['--db', treeDb]], ['leak-track', ['--db', path.join(dir, 'never.db'), '--html', bad, '--duration', '5s', '--', process.execPath, '-e', '1']], ['leak-profile', ['--snapshot', 'a', 'b']]] as const) {
    const r = await runBin(bin, bin === 'leak-track' ? [...args] : [...args, '--html', bad]);
    assert.equal(r.code, 2, `${bin}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, new RegExp(`^${bin}: --html .*r\\.html: directory .*no-such-dir does not exist or is not writable`));
  }
  assert.ok(!existsSync(bad));
  assert.ok(!existsSync(path.join(dir, 'never.db')), 'leak-track refused before opening its DB');
});
