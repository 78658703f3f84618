// leak-report / leak-check end to end: real processes tracked, then analysed through the built bins;
// and the CLI contract (JSON shape, exit codes, JUnit, annotations, bad input).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, startFixture } from '../helpers/procs.js';
import { rssMb, waitUntil } from '../helpers/wait.js';
import type { SessionReport } from '../../src/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-report-'));
const db = path.join(dir, 'real.db');

/** Track three fixtures at once (one DB, three sessions) so the suite pays ~25 s once. */
const recorded = (async () => {
  const leaker = startFixture('leaker.py', ['--rate', '90', '--base', '20', '--lifetime', '600']);
  const cycler = startFixture('cycler.py', ['--amplitude', '60', '--period', '4', '--base', '20', '--lifetime', '600']);
  const lru = startFixture('lru_cache.py', ['--item-mb', '4', '--items-per-s', '5', '--cache-size', '15', '--lifetime', '600']);
  // Each has exec'd python (the tracker names it python3) and allocated its first memory.
  await Promise.all([leaker, cycler, lru].map((p) => waitUntil(`PID ${p.pid} to be python with memory`, () => /python/.test(readlinkSync(`/proc/${p.pid}/exe`)) && (rssMb(p.pid!) ?? 0) >= 20, { timeoutMs: 20_000 })));
  const runs = await Promise.all(
    [leaker, cycler, lru].map((p, i) =>
      runBin('leak-track', [String(p.pid), '24s', '0.25', '--db', db, '--label', ['leaker', 'cycler', 'lru'][i]!, '--quiet']),
    ),
  );
  for (const p of [leaker, cycler, lru]) p.kill();
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const all = await runBin('leak-report', ['--db', db, '--session', 'all', '--json']);
  assert.equal(all.code, 0, all.stderr);
  const byLabel = new Map<string, SessionReport>();
  for (const line of all.stdout.trim().split('\n')) {
    const s = JSON.parse(line) as SessionReport;
    byLabel.set(s.session.label, s);
  }
  return byLabel;
})();

const main = (s: SessionReport) => s.processes.find((p) => p.role === 'main')!;

test('the leaker is growing at its rate (interval covers 90 MB/min, point within 15 %)', async () => {
  const r = main((await recorded).get('leaker')!);
  assert.equal(r.classification, 'growing');
  assert.ok(Math.abs(r.rate_mb_per_min! - 90) / 90 < 0.15, `rate ${r.rate_mb_per_min}`);
  const [lo, hi] = r.rate_ci95_mb_per_min!;
  assert.ok(lo < r.rate_mb_per_min! && r.rate_mb_per_min! < hi);
});

test('the cycler is cycling, the LRU cache is a plateau', async () => {
  const rec = await recorded;
  assert.equal(main(rec.get('cycler')!).classification, 'cycling', JSON.stringify(main(rec.get('cycler')!)));
  assert.equal(main(rec.get('lru')!).classification, 'plateau', JSON.stringify(main(rec.get('lru')!)));
});

test('Report JSON has exactly the documented shape', async () => {
  const s = (await recorded).get('leaker')!;
  // A session leak-track recorded on Linux carries the memory limit it ran under (DESIGN.md §2, added).
  assert.deepEqual(Object.keys(s.session).sort(), ['end_reason', 'ended_at', 'id', 'interval_s', 'label', 'mem_limit_mb', 'mem_limit_source', 'source', 'started_at'].sort());
  const keys = ['pid', 'name', 'cmdline', 'role', 'metric', 'samples', 'duration_s', 'first_mb', 'last_mb', 'min_mb', 'max_mb', 'rate_mb_per_min', 'rate_ci95_mb_per_min', 'classification'];
  const optional = ['verdict', 'copy_on_write', 'peaks_rate_mb_per_min', 'peaks_reach_limit_s', 'reach_limit_s', 'rss_reading'];
  for (const p of s.processes) {
    const extra = Object.keys(p).filter((k) => !keys.includes(k));
    assert.deepEqual(keys.filter((k) => !(k in p)), [], 'every required field');
    assert.deepEqual(extra.filter((k) => !optional.includes(k)), [], 'only documented optional fields');
  }
  // The leaker grows 90 MB/min: it says when it reaches the recorded limit.
  assert.ok(main(s).reach_limit_s! > 0, JSON.stringify(main(s)));
  assert.match(s.session.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
});

test('leak-check: FAIL exits 1 with the documented line, JUnit and ::error:: annotation; PASS exits 0', async () => {
  const rec = await recorded;
  const leakerId = String(rec.get('leaker')!.session.id);
  const cyclerId = String(rec.get('cycler')!.session.id);
  const junit = path.join(dir, 'leak.xml');
  const fail = await runBin('leak-check', ['--db', db, '--session', leakerId, '--max-rate', '20', '--junit', junit], { env: { GITHUB_ACTIONS: 'true' } });
  assert.equal(fail.code, 1, fail.stderr);
  assert.match(fail.stdout, /^FAIL python3 \d+: growing \d+(\.\d)? MB\/min \(CI [\d.]+–[\d.]+\) > 20$/m);
  assert.match(fail.stdout, /^::error title=leak-check::FAIL python3 \d+/m);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /failures="1"/);
  const pass = await runBin('leak-check', ['--db', db, '--session', leakerId, '--max-rate', '1GB/min']);
  assert.equal(pass.code, 0, pass.stdout);
  assert.match(pass.stdout, /^PASS python3 \d+: growing/m);
  const cyc = await runBin('leak-check', ['--db', db, '--session', cyclerId, '--max-rate', '5']);
  assert.equal(cyc.code, 0, cyc.stdout);
  assert.match(cyc.stdout, /^PASS python3 \d+: cycling/m);
});

test('leak-report text: chart, numbers and the verdict in words', async () => {
  const rec = await recorded;
  const r = await runBin('leak-report', ['--db', db, '--session', String(rec.get('leaker')!.session.id)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /python3 \d+ \(main\) \[uss\]/);
  assert.match(r.stdout, /first [\d.]+ MB\s+last [\d.]+ MB\s+min [\d.]+ MB\s+max [\d.]+ MB/);
  assert.match(r.stdout, /growing [\d.]+ MB\/min \([\d.]+–[\d.]+\): /);
  assert.match(r.stdout, /┤/);
});

test('traces: CSV and psrecord logs, bad rows name the line', async () => {
  const csv = path.join(dir, 'trace.csv');
  const lines = ['t_s,uss_bytes'];
  for (let i = 0; i <= 120; i++) lines.push(`${i * 5},${Math.round((1000 + i * 5 * (30 / 60) + Math.sin(i) * 0.5) * 1048576)}`);
  writeFileSync(csv, lines.join('\n') + '\n');
  const r = await runBin('leak-report', ['--trace', csv, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const p = (JSON.parse(r.stdout) as SessionReport).processes[0]!;
  assert.deepEqual([p.pid, p.role, p.classification], [0, 'main', 'growing']);
  assert.ok(Math.abs(p.rate_mb_per_min! - 30) < 1.5, String(p.rate_mb_per_min));
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(bad, 't_s,uss_bytes\n0,1\n5,lots\n');
  const e = await runBin('leak-report', ['--trace', bad]);
  assert.equal(e.code, 2);
  assert.equal(e.stderr.trim(), `leak-report: ${bad}: line 3: uss_bytes must be a non-negative number, got \`lots\``);
  const ps = path.join(dir, 'ps.log');
  writeFileSync(ps, '# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n' + Array.from({ length: 60 }, (_, i) => `${i}.000 1.0 ${100 + i * 2} 500`).join('\n') + '\n');
  const q = await runBin('leak-check', ['--trace', ps, '--max-rate', '50']);
  assert.equal(q.code, 1, q.stdout + q.stderr);
  assert.match(q.stdout, /^FAIL psrecord 0: growing 120(\.\d+)? MB\/min/m);
});

test('bad flags: exit 2, one line, no stack', async () => {
  const cases: [string, string[], RegExp][] = [
    ['leak-check', ['--db', db], /^leak-check: --max-rate is required/],
    ['leak-check', ['--db', db, '--max-rate', 'lots'], /^leak-check: --max-rate must be a rate such as 50.*got `lots`$/],
    ['leak-report', ['--db', db, '--metric', 'heap'], /^leak-report: --metric must be one of uss, pss, rss, swap, vram, got `heap`$/],
    ['leak-report', ['--db', db, '--session', 'x'], /^leak-report: --session must be a session id, latest or all, got `x`$/],
    ['leak-report', ['--db', db, '--frobnicate'], /^leak-report: Unknown argument: frobnicate/],
  ];
  for (const [bin, args, re] of cases) {
    const r = await runBin(bin, args);
    assert.equal(r.code, 2, `${bin} ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr.trim(), re);
  }
  const missing = await runBin('leak-report', ['--db', path.join(dir, 'nope.db')]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /no database at .*nope\.db; record one with leak-track/);
});
