// What the live watch of leak-track --explain profiles, replayed prefix by prefix on real recordings as it
// judges them tick by tick: a DataLoader main whose USS climbs only because its workers copied its pages
// (RSS on a plateau) is never profiled; a real leak still is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { confidentGrowth, ownGrowth, type Watched } from '../../../src/explain/growth-watch.js';
import { MIN_POINTS } from '../../../src/explain/explainer.js';
import { DecimatingSeries } from '../../../src/track/decimating-series.js';
import { FIXTURES } from '../../helpers/paths.js';

/** The main process of a recorded trace CSV, fed to a watched process one reading at a time. */
function replay(file: string, each: (w: Watched, t_s: number) => void): void {
  const [, ...rows] = readFileSync(path.join(FIXTURES, 'recordings', file), 'utf8').trim().split('\n');
  const cells = rows.map((r) => r.split(','));
  const w: Watched = { key: 'k', pid: 1, rowId: null, name: 'python3', role: 'main', uss: new DecimatingSeries(2048), rss: new DecimatingSeries(2048), lastSeenMs: 0, checkedMs: 0, growingSinceMs: null };
  for (const c of cells.filter((x) => x[1] === cells[0]![1])) {
    const t = Number(c[0]);
    w.rss.push(t, Number(c[3]) / 1048576);
    if (c[4] !== '') w.uss.push(t, Number(c[4]) / 1048576);
    each(w, t);
  }
}

test('a DataLoader main whose workers copied its pages (USS steps up, RSS flat) is never profiled', () => {
  // rec_dataloader.py --worker-leak 60 under leak-track --explain: the censuses in its two workers copied
  // ~40 MB of the pages they shared with the main, whose USS stepped 103 → 141 MB with RSS flat at 228 MB;
  // the watch read "growing 59.2 MB/min (29.4–89.1)" on USS and profiled the main (0 growing types).
  let ussAlone = 0;
  replay('dataloader-main-unshared.csv', (w, t) => {
    if (w.uss.length < MIN_POINTS) return;
    const u = w.uss.snapshot();
    if (confidentGrowth(u.t_s, u.mb, [])) ussAlone++;
    assert.equal(ownGrowth(w, MIN_POINTS, []), null, `profiled at ${t} s`);
  });
  assert.ok(ussAlone > 0, 'USS alone reads confident growth somewhere: the case bites');
});

test('a real leak is still profiled: RSS grows with USS', () => {
  let first: number | null = null;
  replay('torch-import-late-leak.csv', (w, t) => {
    if (first === null && ownGrowth(w, MIN_POINTS, [])) first = t;
  });
  assert.ok(first !== null && first < 35, `first confident at ${first} s`);
});

test('a torch job whose USS flips as other processes map the same libtorch, RSS growing throughout, is profiled', () => {
  // torch 2 processor cache, 75 MB/min, tracked by PID beside test suites starting other torch processes:
  // USS stepped ±55 MB (library pages turning shared and back); the watch, on USS, was confident for a few
  // seconds of 90 and never profiled it.
  let after20 = 0;
  let confident = 0;
  replay('torch2-uss-flips.csv', (w, t) => {
    if (t < 20) return;
    after20++;
    if (ownGrowth(w, MIN_POINTS, [])) confident++;
  });
  assert.ok(confident >= 0.8 * after20, `confident at ${confident} of ${after20} readings after 20 s`);
});
