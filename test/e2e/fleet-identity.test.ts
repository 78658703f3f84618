// The verdict on a series does not depend on the fleet it is read in (#22.1): a real VictoriaMetrics
// and a real Prometheus hold the same day at 15 s of 30 generated series and 5 odd ones (3 minutes
// only, a late start, a 4-hour hole, an early end, jittered scrapes); every series read alone (one
// selector each, judged inline) gets exactly the verdict, words, points and fit it gets in the fleet
// read (judged on worker threads), and the Prometheus fleet read (range queries in shards, its
// answers scanned from their bytes) gets exactly the VictoriaMetrics one (bulk export).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { freePort } from '../helpers/free-port.js';
import { waitUntil } from '../helpers/wait.js';
import { importFleet, openMetricsOf, type FleetSpec } from '../helpers/fleet-generator.js';
import { runFleet } from '../../src/fleet/run-fleet.js';
import type { Judged } from '../../src/fleet/judge-series.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-fleet-identity-'));
const spawned: ChildProcess[] = [];
after(async () => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(spawned.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : null)));
  rmSync(dir, { recursive: true, force: true });
});

const MiB = 1048576;
const H = 3_600_000;

/** The odd series: [rank, first ms before the end, last ms before the end, MB at minute m, jitter]. */
const ODD: [string, number, number, (m: number) => number, boolean][] = [
  ['100', 180_000, 0, (m) => 900 + (m % 3), false], // 3 minutes: 13 samples, its own points
  ['101', 10 * H, 0, (m) => 1200 + 2 * m, false], // a leak since 10 h ago
  ['102', 24 * H - 15_000, 0, (m) => (m > 600 && m < 840 ? NaN : 1500 + 20 * Math.sin(m / 30)), false], // a 4-hour hole
  ['103', 24 * H - 15_000, 6 * H, (m) => 1800 + 0.5 * m, false], // ended 6 h ago
  ['104', 24 * H - 15_000, 0, (m) => 2100 + 5 * Math.sin(m / 7), true], // scraped 15 ± 4 s apart
];

function oddSeries(endMs: number): { labels: Record<string, string>; timestamps: number[]; values: number[] }[] {
  return ODD.map(([rank, from, to, mb, jitter]) => {
    const timestamps: number[] = [], values: number[] = [];
    for (let t = endMs - from, k = 0; t <= endMs - to; t += 15_000, k++) {
      const v = mb((t - (endMs - from)) / 60_000);
      if (Number.isNaN(v)) continue;
      timestamps.push(jitter ? t + ((k * 7919) % 9) * 1000 - 4000 : t);
      values.push(Math.round((v + ((k * 31) % 7) * 0.3) * MiB));
    }
    return { labels: { __name__: 'fleet_memory_bytes', job: 'train', node: 'odd', rank }, timestamps, values };
  });
}

test('every series reads alone as it does in the fleet, from VictoriaMetrics and from Prometheus', { timeout: 180_000 }, async (t) => {
  const endMs = Math.floor(Date.now() / 15_000) * 15_000 - 60_000;
  const spec: FleetSpec = { series: 30, hours: 24, stepS: 15, endMs };
  const odd = oddSeries(endMs);

  const vmPort = await freePort();
  const vm = `http://127.0.0.1:${vmPort}`;
  spawned.push(spawn('victoria-metrics', [`-storageDataPath=${path.join(dir, 'vm')}`, `-httpListenAddr=127.0.0.1:${vmPort}`, '-retentionPeriod=10y', '-loggerLevel=ERROR'], { stdio: 'ignore' }));
  await waitUntil('VictoriaMetrics healthy', () => fetch(`${vm}/health`).then((r) => r.ok, () => false), { timeoutMs: 30_000, everyMs: 100 });
  await importFleet(vm, spec);
  const imported = await fetch(`${vm}/api/v1/import`, { method: 'POST', body: odd.map((s) => JSON.stringify({ metric: s.labels, values: s.values, timestamps: s.timestamps })).join('\n') });
  assert.ok(imported.ok, `import: HTTP ${imported.status}`);
  assert.ok((await fetch(`${vm}/internal/force_flush`)).ok);

  // The same samples backfilled into Prometheus.
  const om = createWriteStream(path.join(dir, 'fleet.om'));
  for (const chunk of openMetricsOf(spec)) {
    if (chunk === '# EOF\n') {
      for (const s of odd) om.write(s.timestamps.map((ts, k) => `fleet_memory_bytes{job="train",node="odd",rank="${s.labels.rank}"} ${s.values[k]} ${(ts / 1000).toFixed(3)}\n`).join(''));
    }
    if (!om.write(chunk)) await once(om, 'drain');
  }
  om.end();
  await once(om, 'finish');
  const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', path.join(dir, 'fleet.om'), path.join(dir, 'prom')], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  writeFileSync(path.join(dir, 'prometheus.yml'), 'global: { scrape_interval: 15s }\nscrape_configs: []\n');
  const promPort = await freePort();
  const prom = `http://127.0.0.1:${promPort}`;
  spawned.push(spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn', '--storage.tsdb.retention.time=10y'], { stdio: 'ignore' }));
  await waitUntil('Prometheus ready', () => fetch(`${prom}/-/ready`).then((r) => r.ok, () => false), { timeoutMs: 60_000, everyMs: 100 });

  const read = async (url: string, selector: string, workers: number) => {
    const judged: Judged[] = [];
    const out = await runFleet(
      { url, selector, startMs: endMs + 1000 - 24 * H, endMs: endMs + 1000, stepMs: null, unitBytes: null, maxRate: 0.5, timeoutMs: 120_000, workers, keepSeriesOf: ['growing', 'plateau', 'cycling', 'stable', 'insufficient-data'] },
      (j) => judged.push(j),
      () => {},
    );
    assert.equal(out.failure, null);
    // The series' name is the shortest label set that tells it from the others: "rank=7" in the
    // fleet, the metric's name alone. Everything else must be the same.
    const unnamed = (j: Judged) => ({
      ...j, id: 0, report: { ...j.report, name: '' }, checkText: j.checkText?.replace(j.report.name, '') ?? null,
      row: j.row && { ...j.row, report: { ...j.row.report, name: '' } },
    });
    return new Map(judged.map((j) => [j.labels.rank!, unnamed(j)]));
  };
  const fleet = await read(vm, 'fleet_memory_bytes', 2);
  assert.equal(fleet.size, 35);
  assert.equal(fleet.get("100")!.row!.analysis!.samples, 13, 'the 3-minute series is judged on its own 13 samples');
  t.diagnostic(`classes: ${JSON.stringify([...fleet.values()].map((j) => j.report.classification).reduce((a, c) => ({ ...a, [c!]: (a[c!] ?? 0) + 1 }), {} as Record<string, number>))}`);

  const differ: string[] = [];
  for (const [rank, inFleet] of fleet) {
    const alone = (await read(vm, `fleet_memory_bytes{rank="${rank}"}`, 0)).get(rank)!;
    try {
      assert.deepStrictEqual(alone, inFleet);
    } catch (e) {
      if (!differ.length) t.diagnostic(String((e as Error).message).slice(0, 3000)); // the first difference, in full
      differ.push(`rank ${rank}: alone ${alone.report.classification} ${alone.report.rate_mb_per_min}, in the fleet ${inFleet.report.classification} ${inFleet.report.rate_mb_per_min}`);
    }
  }
  assert.deepEqual(differ, [], 'alone vs in the fleet');

  const fromProm = await read(prom, 'fleet_memory_bytes', 2);
  assert.equal(fromProm.size, 35);
  for (const [rank, j] of fromProm) assert.deepStrictEqual(j, fleet.get(rank), `rank ${rank}: Prometheus vs VictoriaMetrics`);
});
