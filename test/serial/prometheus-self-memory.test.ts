// The tracker must not leak with the exporter on either: the compressed self-memory run of
// track-self-memory.test.ts (20 processes every 50 ms for 60 s) with --prometheus and --textfile, scraped
// four times a second (as text and as OpenMetrics), the tracker's USS read from /proc by the test.
// The exporter has a longer warm-up than the tracker alone (prom-client, the HTTP server, the analysis
// compiled and its first passes): measured 21.8 → 25.4 MB over the first ~55 s, then flat (25.4–25.5
// for the next 45 s; 24.2–24.7 for 80 s in a longer run), so readings start after 45 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { collect, startBin, startFixture, sleep } from '../helpers/procs.js';

function ussMb(pid: number): number {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  let kb = 0;
  for (const m of text.matchAll(/^Private_(?:Clean|Dirty|Hugetlb):\s+(\d+) kB/gm)) kb += Number(m[1]);
  return kb / 1024;
}

test("with the exporter on and scraped 4×/s, the tracker's own USS stays flat", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-self-prom-'));
  mkdirSync(path.join(dir, 'tf'));
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const tree = startFixture('tree.py', ['--workers', '19', '--leak-rate', '0', '--lifetime', '100']);
  await sleep(2500);
  const tracker = startBin('leak-track', [String(tree.pid), '80s', '0.05', '--db', path.join(dir, 's.db'), '--quiet',
    '--prometheus', `127.0.0.1:${port}`, '--textfile', path.join(dir, 'tf')]);
  const done = collect(tracker, 120_000);
  let scrapes = 0;
  let stop = false;
  const scraper = (async () => {
    while (!stop) {
      const accept = scrapes % 2 ? 'application/openmetrics-text; version=1.0.0' : 'text/plain';
      const body = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Accept: accept } }).then((r) => r.text(), () => '');
      if (body.includes('leak_detective_process_memory_bytes')) scrapes++;
      await sleep(250);
    }
  })();
  await sleep(45_000); // start-up: modules, the first GCs and analyses, SQLite's page cache filling
  const readings: number[] = [];
  for (let i = 0; i < 16; i++) {
    readings.push(ussMb(tracker.pid!));
    await sleep(2000);
  }
  const r = await done;
  stop = true;
  await scraper;
  tree.kill();
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(scrapes > 200, `${scrapes} scrapes answered`);
  const half = readings.length / 2;
  const rise = Math.max(...readings.slice(half)) - Math.min(...readings.slice(0, half));
  const drift = readings.slice(-4).reduce((a, b) => a + b) / 4 - readings.slice(0, 4).reduce((a, b) => a + b) / 4;
  t.diagnostic(`tracker USS (MB): ${readings.map((x) => x.toFixed(1)).join(' ')}; rise ${rise.toFixed(1)}, drift ${drift.toFixed(1)}, ${scrapes} scrapes`);
  assert.ok(rise < 4 && drift < 2, `tracker USS over 32 s: ${readings.map((x) => x.toFixed(1)).join(' ')} MB (rise ${rise.toFixed(1)}, drift ${drift.toFixed(1)})`);
});
