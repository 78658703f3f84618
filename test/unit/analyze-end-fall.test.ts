// A sharp fall in the last readings with no release before it (src/analyze/end-fall.ts): a cycle's first
// release or the end of the run. sawtooth-leak-short.csv (a 20 MB/min leak under a 200 MB, 40 s sawtooth
// read every 2 s) cut 2–8 s after its first release read "growing 321 MB/min (320–322)" — the build-up,
// 16× the leak — as a live status line or a psrecord log cut there would show it. Where the tracker saw
// the target exit (a session ended "target-exited") the fall is its tear-down and the part before it is
// the rate; an eval phase whose readings held flat after the fall keeps its rate too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeSeries } from '../../src/analyze/index.js';
import { buildSessionReport } from '../../src/report/session-report.js';
import type { RecordedSession } from '../../src/store/read-session.js';
import { FIXTURES } from '../helpers/paths.js';
import { sample } from '../helpers/series-generator.js';

const DIR = path.join(FIXTURES, 'recordings');

/** The main process's readings of a recorded trace CSV (column 3 RSS, 4 USS), in MiB, up to `until` s. */
function series(file: string, col: 3 | 4, until = Infinity): { t_s: number[]; mb: number[] } {
  const [, ...rows] = readFileSync(path.join(DIR, file), 'utf8').trim().split('\n');
  const cells = rows.map((r) => r.split(','));
  const read = cells.filter((c) => c[1] === cells[0]![1] && c[col] !== '' && Number(c[0]) <= until + 0.01);
  return { t_s: read.map((c) => Number(c[0])), mb: read.map((c) => Number(c[col]) / 1048576) };
}

const say = (a: ReturnType<typeof analyzeSeries>) => `${a.classification} ${a.rate_mb_per_min} ${JSON.stringify(a.rate_ci95_mb_per_min)} — ${a.explanation}`;

test('a 20 MB/min leak under a 40 s sawtooth cut 2–8 s after its first release: undecided, never the build-up rate', () => {
  for (const col of [3, 4] as const) {
    for (const until of [38, 40, 42, 44]) {
      const a = analyzeSeries(series('sawtooth-leak-short.csv', col, until));
      const at = `${col === 3 ? 'RSS' : 'USS'} at ${until} s: ${say(a)}`;
      assert.equal(a.classification, 'insufficient-data', at);
      assert.equal(a.rate_mb_per_min, null, at);
      assert.ok(a.need_more_s! > 0, at);
      // one reading after the fall cannot show which it was; three or more rising again show a cycle seen once
      if (until === 38) assert.match(a.explanation, /dropped sharply \(−190 MB\) in the last reading.*a release .* or the end of the run/, at);
      if (until >= 42) assert.match(a.explanation, /released sharply \(once, in the last \d readings\) and rises again/, at);
    }
  }
  // the same program's 5-minute recording, cut 4 s after its first release
  const long = series('sawtooth-leak.csv', 4);
  const rel = long.mb.findIndex((v, i) => i > 0 && long.mb[i - 1]! - v > 100);
  const a = analyzeSeries({ t_s: long.t_s.slice(0, rel + 2), mb: long.mb.slice(0, rel + 2) });
  assert.equal(a.classification, 'insufficient-data', say(a));
});

test('the target known to have exited at the fall: its tear-down, the part before it judged (as before)', () => {
  const a = analyzeSeries(series('sawtooth-leak-short.csv', 4, 40), { endsAtExit: true });
  assert.equal(a.classification, 'growing', say(a));
  assert.ok(Math.abs(a.rate_mb_per_min! - 321) < 5, say(a));
});

test('an eval phase that held memory flat after the fall keeps the rate before it (eval-release.csv, RSS every tick)', () => {
  const a = analyzeSeries(series('eval-release.csv', 3));
  assert.equal(a.classification, 'growing', say(a));
  assert.ok(Math.abs(a.rate_mb_per_min! - 60) <= 9, say(a));
  assert.match(a.explanation, /released in the last 1\d samples/);
});

test('neighbours: checkpoint spikes ending in the last readings, and cycles with earlier releases, are not an end fall', () => {
  for (const file of ['checkpoint-spikes.csv', 'py-sawtooth.csv', 'cycler-8s-200.csv', 'sawleak-busy-1.csv']) {
    const s = series(file, 4);
    for (let k = 30; k <= s.t_s.length; k++) {
      const a = analyzeSeries({ t_s: s.t_s.slice(0, k), mb: s.mb.slice(0, k) });
      // one release seen in the last readings of a cycling recording is an end fall; later ones are not
      const earlier = s.mb.slice(1, k - 4).some((v, i) => s.mb[i]! - v > 0.5 * (Math.max(...s.mb.slice(0, k)) - Math.min(...s.mb.slice(0, k))));
      if (earlier) assert.notEqual(a.model, 'end-fall', `${file} ${s.t_s[k - 1]} s: ${say(a)}`);
    }
  }
});

test('neighbour: a +400 MB checkpoint buffer touched over 2–3 readings and freed in the last 1–3 lands back on the leak: growing 40', () => {
  // (a first version took these for an end fall: the build-up was gradual, but memory fell back onto its line)
  for (const [ramp, after] of [[2, 1], [2, 2], [2, 3], [3, 1]] as const) {
    for (const sigma of [1, 5]) {
      const n = 200, dt = 2, end = (n - after) * dt - 1, start = end - 10 * dt;
      const f = (t: number) => 1000 + (40 * t) / 60 + (t > start && t < end ? Math.min(1, (t - start) / (ramp * dt)) * 400 : 0);
      const a = analyzeSeries(sample({ kind: 'c', label: 'growing', rate: 40, f }, n, dt, { sigma }, ramp * 10 + after));
      assert.equal(a.classification, 'growing', `ramp ${ramp}, ${after} after, σ ${sigma}: ${say(a)}`);
      assert.ok(Math.abs(a.rate_mb_per_min! - 40) <= 6, `ramp ${ramp}, ${after} after, σ ${sigma}: ${say(a)}`);
    }
  }
});

test('a recorded session: its end reason says whether a fall at the end is the exit', () => {
  const s = series('sawtooth-leak-short.csv', 4, 40);
  const session = (end_reason: string): RecordedSession => ({
    info: { id: 1, label: 'x', started_at: new Date(0).toISOString(), interval_s: 2, source: 'track', ended_at: new Date(40_000).toISOString(), end_reason },
    processes: [{
      info: { pid: 42, ppid: 1, start_ticks: 1, name: 'python3', cmdline: 'python3 rec_sawtooth_leak.py', role: 'main' },
      rowId: 1, t_ms: s.t_s.map((t) => Math.round(t * 1000)), uss: s.mb.map((v) => v * 1048576), rss: s.mb.map((v) => v * 1048576),
      pss: s.mb.map(() => null), swap: s.mb.map(() => 0), vram: s.mb.map(() => null), cpu: s.mb.map(() => null),
    }],
    bucketMs: null, ticks: s.t_s.length,
  });
  const exited = buildSessionReport(session('target-exited')).report.processes[0]!;
  assert.equal(exited.classification, 'growing', JSON.stringify(exited));
  const cut = buildSessionReport(session('duration')).report.processes[0]!;
  assert.equal(cut.classification, 'insufficient-data', JSON.stringify(cut));
});
