// Hostile Prometheus-API servers on loopback (#18), series by series: samples out of time order, two
// values at one instant, a series sent twice or not asked for are refused with one line naming the
// series (exit 2, as every malformed answer), never read as something else; the one sample two
// adjacent windows share is read once. And the answers that are not the API's at all: an HTML page,
// an error message holding terminal escapes, a redirect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { parseFleetJson } from '../helpers/fleet-json.js';
import { END, goodAnswer, json, oneLine, report, serve } from '../helpers/hostile-prometheus.js';

type Values = [number, string][];
const grow = (k: number): [number, string] => [END - 3600 + k * 15, String(1e9 + k * 15 * 1048576)];
const hour = (): Values => Array.from({ length: 240 }, (_, k) => grow(k));

/** goodAnswer, but the range queries answered with `result` (series of mem_bytes by rank, or full metrics). */
function answering(n: number, result: (q: URLSearchParams) => { metric: Record<string, string>; values: Values }[]) {
  return (p: string, q: URLSearchParams, res: http.ServerResponse) => {
    if (p !== '/api/v1/query' || q.get('query')!.startsWith('max(')) return goodAnswer(p, q, res, n, '240');
    json(res, { status: 'success', data: { resultType: 'matrix', result: result(q) } });
  };
}
const rank = (r: string, values: Values) => ({ metric: { __name__: 'mem_bytes', rank: r }, values });

test('samples out of time order: refused naming the series (were dropped: a reversed series read as "insufficient data")', async () => {
  for (const [what, values] of [
    ['reversed', hour().reverse()],
    ['two swapped', hour().map((s, k, all) => (k === 100 ? all[101]! : k === 101 ? all[100]! : s))],
  ] as const) {
    const url = await serve(answering(1, () => [rank('0', values)]));
    const r = await report(url);
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    oneLine(r, /sent the samples of mem_bytes\{rank="0"\} out of time order \(\S+Z after \S+Z\); a series comes oldest first/);
  }
});

test('two values at one instant: refused naming the series, the time and both values', async () => {
  const values = hour();
  values.splice(51, 0, [values[50]![0], '5']);
  const url = await serve(answering(1, () => [rank('0', values)]));
  const r = await report(url);
  assert.equal(r.code, 2, r.stderr);
  oneLine(r, /sent two values for mem_bytes\{rank="0"\} at \S+Z \(\d+ and 5\); a series has one value at an instant/);
});

test('windows that share their edge sample (a closed range, same time and value): read once, judged', async () => {
  // 1.5 M samples an hour per series: three 20-minute windows, whose edges fall on samples.
  let windows = 0;
  const url = await serve((p, q, res) => {
    const query = q.get('query')!;
    if (p !== '/api/v1/query' || query.startsWith('max(')) return goodAnswer(p, q, res, 1, '1500000');
    const t = Number(q.get('time')), range = Number(query.match(/\[(\d+)ms\]/)![1]) / 1000;
    windows++;
    json(res, { status: 'success', data: { resultType: 'matrix', result: [rank('0', hour().filter(([s]) => s >= t - range && s <= t))] } });
  });
  const r = await report(url, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(windows >= 3, `${windows} windows`);
  const row = parseFleetJson(r.stdout).rows[0]!;
  assert.equal(row.classification, 'growing');
  assert.ok(Math.abs(row.rate_mb_per_min! - 60) < 1, JSON.stringify(row));
});

test('a series the query does not select, or a shard value not asked for: refused, naming it', async () => {
  const other = await serve(answering(1, () => [rank('0', hour()), { metric: { __name__: 'other_bytes', rank: '0' }, values: hour() }]));
  const r = await report(other);
  assert.equal(r.code, 2, r.stderr);
  oneLine(r, /sent other_bytes\{rank="0"\} for `mem_bytes`, which does not select it \(not __name__="mem_bytes"\); check the server/);
  // Five series, one a shard: the shard of rank 0 answered with rank 3's series.
  const shard = await serve((p, q, res) => {
    if (p !== '/api/v1/query' || q.get('query')!.startsWith('max(')) return goodAnswer(p, q, res, 5);
    json(res, { status: 'success', data: { resultType: 'matrix', result: [rank('3', hour())] } });
  });
  const s = await report(shard);
  assert.equal(s.code, 2, s.stderr);
  oneLine(s, /sent mem_bytes\{rank="3"\} for `mem_bytes\{rank=~"0"\}`, which does not select it \(one of the rank values asked for\)/);
  // The listing itself holding a series of another name.
  const listing = await serve((p, q, res) => (p === '/api/v1/series' ? json(res, { status: 'success', data: [{ __name__: 'mem_bytes', rank: '0' }, { __name__: 'cpu_seconds', rank: '0' }] }) : goodAnswer(p, q, res, 1)));
  const l = await report(listing);
  assert.equal(l.code, 2, l.stderr);
  oneLine(l, /sent cpu_seconds\{rank="0"\} for `mem_bytes`, which does not select it/);
});

test('a series sent twice in one answer: refused, not judged as two', async () => {
  const url = await serve(answering(1, () => [rank('0', hour().slice(0, 120)), rank('0', hour().slice(120))]));
  const r = await report(url);
  assert.equal(r.code, 2, r.stderr);
  oneLine(r, /sent mem_bytes\{rank="0"\} twice in one answer to `mem_bytes`/);
});

test('a series the selector selects but the listing did not hold: left out, with one line naming it', async () => {
  const url = await serve(answering(2, () => [rank('0', hour()), rank('1', hour()), rank('7', hour())]));
  const r = await report(url, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(parseFleetJson(r.stdout).rows.map((x) => x.name).sort(), ['rank=0', 'rank=1']);
  const notes = r.stderr.trim().split('\n').filter((l) => !/reading \d+ series/.test(l));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(notes[0]!, /left out 1 series the server sent but had not listed for `mem_bytes` at the start \(new since\?\): mem_bytes\{rank="7"\}/);
});

/** A VictoriaMetrics-like server whose bulk export is `lines` (the listing: ranks 0 and 1). */
const exporting = (lines: unknown[]) =>
  serve((p, q, res) => {
    if (p !== '/api/v1/export') return goodAnswer(p, q, res, 2, '240');
    res.writeHead(200, { 'Content-Type': 'application/stream+json' });
    res.end(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  });
const line = (r: string, name = 'mem_bytes', order = (ts: number[]) => ts) => {
  const ts = order(Array.from({ length: 240 }, (_, k) => (END - 3600 + k * 15) * 1000));
  return { metric: { __name__: name, rank: r }, values: ts.map((t) => 1e9 + (t / 1000 - (END - 3600)) * 1048576), timestamps: ts };
};

test('a bulk export: out of order, a series on two lines, a series not selected: each refused (exit 2), one line', async () => {
  const cases: [unknown[], RegExp][] = [
    [[line('0', 'mem_bytes', (ts) => ts.reverse()), line('1')], /sent the samples of mem_bytes\{rank="0"\} out of time order/],
    [[line('0'), line('1'), line('0')], /sent mem_bytes\{rank="0"\} twice in the export/],
    [[line('0'), line('1', 'node_cpu')], /sent node_cpu\{rank="1"\} for `mem_bytes`, which does not select it/],
  ];
  for (const [lines, re] of cases) {
    const r = await report(await exporting(lines));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /by bulk export/);
    oneLine(r, re);
  }
  const good = await report(await exporting([line('0'), line('1')]), '--json');
  assert.equal(good.code, 0, good.stderr);
  assert.equal(parseFleetJson(good.stdout).rows.length, 2);
});

test('answers that are not the API: an HTML page (HTTP 200), an error message with terminal escapes, a redirect', async () => {
  const html = await serve((p, q, res) => {
    if (p !== '/api/v1/series') return goodAnswer(p, q, res, 1);
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><html><head><title>Grafana</title></head><body>login</body></html>');
  });
  const h = await report(html);
  assert.equal(h.code, 2, h.stderr);
  oneLine(h, /did not answer api\/v1\/series as the Prometheus API does \(HTTP 200: <!doctype html><html><head><title>Grafana.*give the server's base URL/);
  const escapes = await serve((p, q, res) => {
    if (p !== '/api/v1/query' || q.get('query')!.startsWith('max(')) return goodAnswer(p, q, res, 1);
    json(res, { status: 'error', errorType: 'execution', error: 'boom \x1b]0;owned\x07\x1b[2J\u009b31m' }, 422);
  });
  const e = await report(escapes);
  assert.equal(e.code, 2, e.stderr);
  oneLine(e, /answered an error for `mem_bytes`: boom \\x1b\]0;owned\\x07\\x1b\[2J\\x9b31m$/);
  assert.doesNotMatch(e.stderr, /[\x1b\x07\x9b]/);
  // A redirect (to a server that answers anything) is not followed: a 302 drops the POSTed query, and the
  // answer would be another server's under this one's name.
  const other = await serve((p, q, res) => goodAnswer(p, q, res, 1));
  for (const code of [302, 307]) {
    const redirect = await serve((p, q, res) => {
      res.writeHead(code, { Location: `${other}${p}` });
      res.end();
    });
    const r = await report(redirect);
    assert.equal(r.code, 2, `${code}: ${r.stderr}`);
    oneLine(r, new RegExp(`answered /api/v1/series with a redirect \\(HTTP ${code}\\) to ${other}/api/v1/series, which is not followed`));
  }
});
