// The fleet reader's pure parts: answers validated before they are believed, limits read from the
// servers' own refusals, selectors narrowed to shards, and the same verdict for a series whether it
// is judged on a worker thread in a fleet or alone inline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerData, matrixOf, parseLimit, sampleValue, TooBig } from '../../../src/fleet/api-answer.js';
import { checkSelector, withMatcher } from '../../../src/fleet/selector.js';
import { shardsOf } from '../../../src/fleet/fleet-read.js';
import { gridFor, SeriesBuckets } from '../../../src/fleet/series-buckets.js';
import { JudgePool } from '../../../src/fleet/judge-pool.js';
import { judgeSeries, type Judged, type SeriesJob } from '../../../src/fleet/judge-series.js';
import { isLeakError } from '../../../src/errors.js';
import { samplesOf } from '../../helpers/fleet-generator.js';

const S = 'http://prom:9090';
const code = (f: () => unknown): number => {
  try {
    f();
  } catch (e) {
    assert.ok(isLeakError(e), `a LeakError, not ${String(e)}`);
    return e.exitCode;
  }
  return 0;
};

test('sample values: negative, non-numeric, NaN and ±Inf are refused (exit 2) naming the series; sizes pass', () => {
  for (const bad of ['-104857600', 'abc', 'NaN', '+Inf', '-Inf', '', 'Infinity']) {
    assert.equal(code(() => sampleValue(S, 'm{rank="1"}'.replace('1', '\u001b[31m'), bad)), 2, bad);
  }
  assert.throws(() => sampleValue(S, 'm{rank="\u001b]0;x\u0007"}', 'abc'), (e: Error) => /non-numeric sample "abc" for m\{rank="\\x1b\]0;x\\x07"\}/.test(e.message) && !/\u001b/.test(e.message));
  assert.throws(() => sampleValue(S, 's', '-1'), /negative sample/);
  assert.throws(() => sampleValue(S, 's', '+Inf'), /infinite sample/);
  assert.throws(() => sampleValue(S, 's', 'NaN'), /NaN sample/);
  assert.equal(sampleValue(S, 's', '1.5e9'), 1.5e9);
  assert.equal(sampleValue(S, 's', 0), 0);
});

test('answers: a result that is a string, a missing envelope, malformed samples are exit 2, never 70', () => {
  const notSel = () => new Error('not a selector');
  assert.equal(code(() => matrixOf(S, 'q', { resultType: 'matrix', result: 'lots' }, notSel)), 2);
  assert.equal(code(() => matrixOf(S, 'q', { resultType: 'matrix', result: [{ metric: { a: 1 }, values: [] }] }, notSel)), 2);
  assert.equal(code(() => matrixOf(S, 'q', { resultType: 'matrix', result: [{ metric: {}, values: [[1, 2]] }] }, notSel)), 2);
  assert.equal(code(() => matrixOf(S, 'q', null, notSel)), 2);
  assert.equal(code(() => answerData(S, 'q', 200, 'hello')), 2);
  assert.equal(code(() => answerData(S, 'q', 200, { status: 'error', errorType: 'bad_data', error: 'parse error' })), 2);
  assert.deepEqual(matrixOf(S, 'q', { resultType: 'matrix', result: [{ metric: { a: 'b' }, values: [[1, '2']] }] }, notSel), [{ metric: { a: 'b' }, values: [[1, '2']] }]);
});

test("limits are read from the servers' own refusals", () => {
  assert.deepEqual(parseLimit('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'), { kind: 'points', value: 11000 });
  assert.deepEqual(parseLimit('error when executing query="x" on the time range (start=1, end=2, step=1000): too many points for the given step=1000, start=1 and end=2: 86401; cannot exceed -search.maxPointsPerTimeseries=30000'), { kind: 'points', value: 30000 });
  assert.deepEqual(parseLimit('query processing would load too many samples into memory in query execution'), { kind: 'samples', value: null });
  assert.deepEqual(parseLimit('cannot select more than -search.maxSamplesPerQuery=1000000000 samples; possible solutions: …'), { kind: 'samples', value: 1e9 });
  assert.deepEqual(parseLimit('the number of matching timeseries exceeds 30000; either narrow down the search or increase -search.maxUniqueTimeseries'), { kind: 'series', value: 30000 });
  assert.deepEqual(parseLimit('query timed out in expression evaluation'), { kind: 'time', value: null });
  assert.equal(parseLimit('parse error at char 3'), null);
  assert.throws(() => answerData(S, 'q', 422, { status: 'error', errorType: 'execution', error: 'exceeded maximum resolution of 11,000 points per timeseries' }), (e) => e instanceof TooBig && e.limit.value === 11000);
});

test('selectors: plain selectors pass, functions and ranges are usage errors; shards add one matcher', () => {
  for (const ok of ['m', 'm{a="b"}', '{__name__="m",job="x"}', 'm{a="[x]"}']) checkSelector(ok);
  for (const bad of ['rate(m[5m])', 'm[5m]', 'sum(m)', 'm + 1', '']) assert.equal(code(() => checkSelector(bad)), 2, bad);
  assert.equal(withMatcher('m', 'rank', ['1', '2']), 'm{rank=~"1|2"}');
  assert.equal(withMatcher('m{job="t"}', 'rank', ['a.b', 'c"d']), 'm{job="t",rank=~"a\\\\.b|c\\"d"}');
  const fleet = Array.from({ length: 10 }, (_, i) => ({ __name__: 'm', job: 't', rank: String(i) }));
  const sh = shardsOf(fleet, 4)!;
  assert.equal(sh.label, 'rank');
  assert.deepEqual(sh.values, [['0', '1', '2', '3'], ['4', '5', '6', '7'], ['8', '9']]);
  assert.equal(shardsOf(fleet, 10), null);
});

test('buckets are fixed by the window, not the series: the same samples in any split give the same points', () => {
  const grid = gridFor(0, 86_400_000);
  const whole = new SeriesBuckets(grid), parts = new SeriesBuckets(grid);
  const ts = Array.from({ length: 5760 }, (_, i) => i * 15_000 + 7);
  ts.forEach((t, i) => whole.add(t, 1e9 + i));
  // Windows that touch at their edges send the edge sample twice: it counts once.
  for (const [a, b] of [[0, 2000], [1999, 4000], [3999, 5760]] as const) for (let i = a; i < b; i++) parts.add(ts[i]!, 1e9 + i);
  assert.deepEqual(parts.finish(), whole.finish());
  assert.equal(whole.t_ms.length, 720);
  assert.equal(whole.raw.samples, 5760);
  assert.equal(whole.raw.max, 1e9 + 5759);
});

test('the same verdicts on two worker threads as one series at a time, inline', async () => {
  const spec = { series: 60, hours: 6, stepS: 15, endMs: 1_800_000_000_000 };
  const startMs = spec.endMs - 6 * 3_600_000;
  const jobs: SeriesJob[] = Array.from({ length: spec.series }, (_, i) => {
    const s = samplesOf(i, spec);
    const b = new SeriesBuckets(gridFor(startMs, spec.endMs));
    s.timestamps.forEach((t, k) => b.add(t, s.values[k]!));
    b.finish();
    return { id: i, name: `rank=${i}`, labels: s.truth.labels, t_ms: b.t_ms, bytes: b.values, raw: b.raw, bucketed: true };
  });
  const o = { maxRate: 0.5, originMs: startMs, keepSeriesOf: [] };
  const pooled: Judged[] = [];
  const pool = new JudgePool(o, (j) => pooled.push(j), 2);
  for (const j of jobs) await pool.submit(j);
  await pool.drain();
  await pool.close();
  assert.equal(pooled.length, jobs.length);
  pooled.sort((a, b) => a.id - b.id);
  for (const j of jobs) assert.deepEqual(pooled[j.id], judgeSeries(j, o), `rank=${j.id}`);
  const growing = pooled.filter((j) => j.report.classification === 'growing').map((j) => j.id);
  assert.deepEqual(growing, jobs.filter((_, i) => samplesOf(i, spec).truth.kind === 'growing').map((j) => j.id));
});
