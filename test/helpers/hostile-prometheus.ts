// Hostile Prometheus-API servers on loopback (#18), shared by the prometheus-hostile tests: a server
// answering through a handler, a well-behaved answer to start from, the CLI run, and the one-line check.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runBin } from './procs.js';

const servers: http.Server[] = [];
after(() => servers.forEach((s) => (s.closeAllConnections(), s.close())));

export type Handler = (path: string, params: URLSearchParams, res: http.ServerResponse) => void;

/** A server answering every request through `h` (form bodies and query strings both read as params). */
export async function serve(h: Handler): Promise<string> {
  const s = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const u = new URL(req.url!, 'http://x');
      const params = new URLSearchParams(u.search);
      for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
      h(u.pathname, params, res);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

export const END = 1_800_000_000;
export const json = (res: http.ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};
export const series = (n: number) => Array.from({ length: n }, (_, i) => ({ __name__: 'mem_bytes', rank: String(i) }));
/** A well-behaved Prometheus for `n` series, 240 samples each over the hour before END (a leak on rank 0). */
export function goodAnswer(path: string, params: URLSearchParams, res: http.ServerResponse, n: number, perHour = '400000'): void {
  if (path === '/api/v1/series') return json(res, { status: 'success', data: series(n) });
  if (path === '/api/v1/export') return json(res, { status: 'error', error: 'not found' }, 404);
  const q = params.get('query') ?? '';
  if (q.startsWith('max(count_over_time')) return json(res, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [END, perHour] }] } });
  const ranks = [...(q.match(/rank=~"([^"]*)"/)?.[1]?.split('|') ?? series(n).map((s) => s.rank))];
  const result = ranks.map((r) => ({
    metric: { __name__: 'mem_bytes', rank: r },
    values: Array.from({ length: 240 }, (_, k) => [END - 3600 + k * 15, String(1e9 + (r === '0' ? k * 15 * 1048576 : (k % 2) * 1e5))]),
  }));
  json(res, { status: 'success', data: { resultType: 'matrix', result } });
}

export const report = (url: string, ...extra: string[]) =>
  runBin('leak-report', ['--prometheus', url, '--query', 'mem_bytes', '--since', '1h', '--until', String(END), ...extra], { timeoutMs: 60_000 });

export function oneLine(r: { stderr: string }, re: RegExp): void {
  const errors = r.stderr.trim().split('\n').filter((l) => !/^leak-report: (reading \d+ series|\d+ of \d+ series judged)/.test(l));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, re);
  assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
}
