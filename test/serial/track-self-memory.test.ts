// A leak detector must not leak. The full check is bench/README's 31-minute soak; this is the same
// run compressed: 20 processes at the 50 ms minimum interval for 60 s (≈24,000 process reads), the
// tracker's USS read from /proc by the test itself. Before the fixes in live-view.ts, open-db.ts and
// quiet-heap.ts this climbed 11–14 MB in 60 s (22.5 → 36.7; 25.7 → 37.0); after, it does not climb
// (a full GC may give a few MB back: that is not growth).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { collect, startBin, startFixture, sleep } from '../helpers/procs.js';

function ussMb(pid: number): number {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
  let kb = 0;
  for (const m of text.matchAll(/^Private_(?:Clean|Dirty|Hugetlb):\s+(\d+) kB/gm)) kb += Number(m[1]);
  return kb / 1024;
}

test("the tracker's own USS stays flat while it samples 20 processes every 50 ms", async () => {
  const tree = startFixture('tree.py', ['--workers', '19', '--leak-rate', '0', '--lifetime', '100']);
  await sleep(2500);
  const db = path.join(mkdtempSync(path.join(tmpdir(), 'ld-self-')), 's.db');
  const tracker = startBin('leak-track', [String(tree.pid), '62s', '0.05', '--db', db, '--quiet']);
  const done = collect(tracker, 120_000);
  await sleep(12_000); // start-up: modules, the first GCs, SQLite's page cache filling
  const readings: number[] = [];
  for (let i = 0; i < 24; i++) {
    readings.push(ussMb(tracker.pid!));
    await sleep(2000);
  }
  const r = await done;
  tree.kill();
  assert.equal(r.code, 0, r.stderr);
  // Growth, not movement: a GC that gives memory back is fine. `rise`: how far the second half climbs
  // above the lowest level of the first; `drift`: the last readings against the first.
  const half = readings.length / 2;
  const rise = Math.max(...readings.slice(half)) - Math.min(...readings.slice(0, half));
  const drift = readings.slice(-4).reduce((a, b) => a + b) / 4 - readings.slice(0, 4).reduce((a, b) => a + b) / 4;
  assert.ok(rise < 4 && drift < 2, `tracker USS over 48 s: ${readings.map((x) => x.toFixed(1)).join(' ')} MB (rise ${rise.toFixed(1)}, drift ${drift.toFixed(1)})`);
});
