// Hostile Prometheus-API servers on loopback (#18): each misbehaviour gives one clear line on stderr
// and exit 2 or 3, never a hang, never 70, never a silent answer; a server that fails mid-way leaves the
// series judged before it on stdout (--json: one line each, then the summary, complete: false).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFleetJson } from '../helpers/fleet-json.js';
import { END, goodAnswer, json, oneLine, report, serve } from '../helpers/hostile-prometheus.js';

test('a well-behaved server: every series judged, rank 0 growing at 60 MB/min', async () => {
  const url = await serve((p, q, res) => goodAnswer(p, q, res, 5));
  const r = await report(url, '--json');
  assert.equal(r.code, 0, r.stderr);
  const { rows, fleet } = parseFleetJson(r.stdout);
  assert.equal(fleet.complete, true);
  assert.equal(rows.length, 5);
  const r0 = rows.find((x) => x.name === 'rank=0')!;
  assert.equal(r0.classification, 'growing');
  assert.ok(Math.abs(r0.rate_mb_per_min! - 60) < 1, JSON.stringify(r0));
});

test('the fleet HTML charts the growing series only and counts every class in its headline', async () => {
  const url = await serve((p, q, res) => goodAnswer(p, q, res, 40));
  const dir = mkdtempSync(path.join(tmpdir(), 'ld-fleet-html-'));
  try {
    const r = await report(url, '--html', path.join(dir, 'fleet.html'));
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(path.join(dir, 'fleet.html'), 'utf8');
    assert.match(html, /<p class="headline[^"]*">40 series: 1 growing · \d+ \w+/);
    assert.equal((html.match(/<section class="proc"/g) ?? []).length, 1, 'one chart: the growing series');
    assert.deepEqual([...new Set(html.match(/rank=\d+ 0 \(main\)/g))], ['rank=0 0 (main)'], 'the other 39 are counted, not listed');
    assert.match(r.stdout, /^Growing \(1\), worst first, by job and node:\n  \(no job or node label\): rank=0 60\.\d+ MB\/min/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a server's limit on series per query (VictoriaMetrics' words): shards split until it answers, every series read", async () => {
  let refusals = 0;
  const url = await serve((p, q, res) => {
    const query = q.get('query') ?? '';
    const ranks = query.match(/rank=~"([^"]*)"/)?.[1]?.split('|') ?? ['0', '1', '2', '3', '4'];
    if (p === '/api/v1/query' && !query.startsWith('max(') && ranks.length > 2) {
      refusals++;
      return json(res, { status: 'error', errorType: '422', error: `error when executing query="${query}": the number of matching timeseries exceeds 2; either narrow down the search or increase -search.maxUniqueTimeseries` }, 422);
    }
    goodAnswer(p, q, res, 5, '240');
  });
  const r = await report(url, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(parseFleetJson(r.stdout).rows.map((x) => x.name).sort(), ['rank=0', 'rank=1', 'rank=2', 'rank=3', 'rank=4']);
  assert.ok(refusals >= 2, `${refusals} refusals`);
  // The listing itself refused: one line, exit 2, what to do.
  const listing = await serve((p, q, res) => (p === '/api/v1/series' ? json(res, { status: 'error', errorType: '422', error: 'the number of matching timeseries exceeds 30000; either narrow down the search or increase -search.maxSeries' }, 422) : goodAnswer(p, q, res, 5)));
  const l = await report(listing);
  assert.equal(l.code, 2, l.stderr);
  oneLine(l, /refuses to list the series of `mem_bytes`: .*maxSeries; narrow --query/);
});

test('negative, non-numeric, NaN and +Inf samples: exit 2 naming the value and the series', async () => {
  for (const bad of ['-104857600', 'abc', 'NaN', '+Inf']) {
    const url = await serve((p, q, res) => {
      if (p !== '/api/v1/query' || q.get('query')!.startsWith('max(')) return goodAnswer(p, q, res, 2);
      json(res, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'mem_bytes', rank: '0' }, values: [[END - 60, '1e9'], [END - 45, bad]] }] } });
    });
    const r = await report(url);
    assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    oneLine(r, new RegExp(`sent (negative|non-numeric|NaN|infinite) sample "${bad.replace('+', '\\+')}" for mem_bytes\\{rank="0"\\}`));
  }
});

test('a data.result that is a string: exit 2, one line', async () => {
  const url = await serve((p, q, res) => {
    if (p !== '/api/v1/query' || q.get('query')!.startsWith('max(')) return goodAnswer(p, q, res, 2);
    json(res, { status: 'success', data: { resultType: 'matrix', result: 'lots' } });
  });
  const r = await report(url);
  assert.equal(r.code, 2, r.stderr);
  oneLine(r, /answered `mem_bytes[^`]*` with a result that is not a list \(string\)/);
});

test('labels nested 200,000 deep: exit 2, one line (was 70: a stack overflow quoting them)', async () => {
  const url = await serve((p, q, res) => {
    if (p !== '/api/v1/series') return goodAnswer(p, q, res, 2);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`{"status":"success","data":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
  });
  const r = await report(url);
  assert.equal(r.code, 2, r.stderr);
  oneLine(r, /sent a series whose labels are not name → string \(a list nested too deep to show\)/);
});

test('timestamps in milliseconds, or infinite: refused (exit 2), not judged (a growing series was "stable")', async () => {
  for (const [what, time] of [['ms', (t: number) => t * 1000], ['inf', (t: number, k: number) => (k === 5 ? 1e308 : t)]] as const) {
    const url = await serve((p, q, res) => {
      if (p !== '/api/v1/query' || q.get('query')!.startsWith('max(')) return goodAnswer(p, q, res, 2);
      const values = Array.from({ length: 240 }, (_, k) => [time(END - 3600 + k * 15, k), String(1e9 + k * 15 * 1048576)]);
      json(res, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'mem_bytes', rank: '0' }, values }] } });
    });
    const r = await report(url);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    oneLine(r, /sent a sample at \S+ for mem_bytes\{rank="0"\}, outside the window asked for \(.*\); its timestamps are not seconds since the epoch/);
  }
});

test('headers, then a byte a second: cut off at --timeout, exit 3, one line', async () => {
  const url = await serve((p, q, res) => {
    if (p !== '/api/v1/query' || q.get('query')!.startsWith('max(')) return goodAnswer(p, q, res, 2);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const tick = setInterval(() => (res.destroyed ? clearInterval(tick) : res.write(' ')), 1000);
    res.on('close', () => clearInterval(tick));
  });
  const began = Date.now();
  const r = await report(url, '--timeout', '3s');
  assert.equal(r.code, 3, r.stderr);
  oneLine(r, /was still sending \/api\/v1\/query when (the --timeout ran out|no progress in \d+ s); the server is too slow or stuck/);
  assert.ok(Date.now() - began < 30_000, `took ${Date.now() - began} ms`);
});

test('a bulk export that trickles a byte a second: cut off, exit 3, one line', async () => {
  const url = await serve((p, q, res) => {
    if (p !== '/api/v1/export') return goodAnswer(p, q, res, 2);
    res.writeHead(200, { 'Content-Type': 'application/stream+json' });
    const tick = setInterval(() => (res.destroyed ? clearInterval(tick) : res.write('{')), 1000);
    res.on('close', () => clearInterval(tick));
  });
  const r = await report(url, '--timeout', '3s');
  assert.equal(r.code, 3, r.stderr);
  oneLine(r, /was still sending \/api\/v1\/export when the --timeout ran out/);
});

test('a 1 GiB answer: refused past the byte budget (exit 2), not buffered', async () => {
  const url = await serve((p, q, res) => {
    if (p !== '/api/v1/query' || q.get('query')!.startsWith('max(')) return goodAnswer(p, q, res, 2);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < 1024 && !res.destroyed) {
        sent++;
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  const r = await report(url);
  assert.equal(r.code, 2, r.stderr);
  oneLine(r, /answered api\/v1\/query with more than 64 MiB/);
});

test('a server that fails mid-way: the series judged before it are on stdout, then one line and the exit code', async () => {
  let shard = 0;
  const url = await serve((p, q, res) => {
    if (p === '/api/v1/query' && !q.get('query')!.startsWith('max(') && ++shard > 3) {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      return res.end('<html>bad gateway</html>');
    }
    goodAnswer(p, q, res, 8);
  });
  const r = await report(url, '--json', '--workers', '0');
  assert.equal(r.code, 2, r.stderr);
  oneLine(r, /did not answer api\/v1\/query as the Prometheus API does \(HTTP 502: <html>bad gateway<\/html>\)/);
  const { rows, fleet } = parseFleetJson(r.stdout);
  assert.equal(fleet.complete, false);
  assert.equal(fleet.listed, 8);
  assert.deepEqual(rows.map((x) => x.name).sort(), ['rank=0', 'rank=1', 'rank=2'], 'one series per shard (the count makes each shard one series): three judged');
  assert.equal(rows.find((x) => x.name === 'rank=0')!.classification, 'growing');
  assert.match(r.stderr, /3 of 8 series judged before the read stopped/);
  // The text report says so too: the partial table, then the error.
  shard = 0;
  const text = await report(url);
  assert.equal(text.code, 2);
  assert.match(text.stdout, /^Fleet: 3 series of 8 listed \(the read stopped early: see the error below\)/m);
});

test('a bulk export that breaks off mid-stream: the series already read are judged and kept', async () => {
  const url = await serve((p, q, res) => {
    if (p !== '/api/v1/export') return goodAnswer(p, q, res, 6);
    res.writeHead(200, { 'Content-Type': 'application/stream+json' });
    for (let i = 0; i < 2; i++) {
      const ts = Array.from({ length: 240 }, (_, k) => (END - 3600 + k * 15) * 1000);
      res.write(`${JSON.stringify({ metric: { __name__: 'mem_bytes', rank: String(i) }, values: ts.map((_, k) => 1e9 + (i === 0 ? k * 15 * 1048576 : 0)), timestamps: ts })}\n`);
    }
    res.write('{"metric":{"__name__":"mem_bytes","rank":"2"},"values":[1,2,');
    setTimeout(() => res.destroy(), 100);
  });
  const r = await report(url, '--json');
  assert.ok(r.code === 2 || r.code === 3, `${r.code}: ${r.stderr}`);
  assert.match(r.stderr, /bulk export/);
  oneLine(r, /broke off|did not answer|not JSON/);
  const { rows, fleet } = parseFleetJson(r.stdout);
  assert.equal(fleet.complete, false);
  assert.deepEqual(rows.map((x) => x.name).sort(), ['rank=0', 'rank=1']);
});
