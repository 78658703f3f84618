// Prometheus' matrix answers read from their bytes (src/fleet/matrix-answer.ts): the same series,
// times and values as JSON.parse and the reader's checks (matrixOf, sampleValue), to the bit; any
// answer in another shape, or with a value the reader refuses, left to JSON.parse (null).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanMatrixAnswer } from '../../../src/fleet/matrix-answer.js';
import { answerData, matrixOf, sampleValue } from '../../../src/fleet/api-answer.js';

/** What the reader took from an answer before the scanner: JSON.parse, matrixOf, sampleValue. */
function parsed(text: string) {
  const data = answerData('s', 'q', 200, JSON.parse(text));
  return matrixOf('s', 'q', data, () => new Error('not a selector')).map((s) => ({
    metric: s.metric,
    t: s.values.map(([t]) => t),
    v: s.values.map(([, v]) => sampleValue('s', 'x', v)),
  }));
}

function scanned(text: string) {
  const m = scanMatrixAnswer(Buffer.from(text));
  assert.ok(m, `scanned: ${text.slice(0, 120)}`);
  return m.series.map((s) => ({ metric: s.metric, t: Array.from(s.t), v: Array.from(s.v) }));
}

const answer = (result: unknown, extra = '') => `{"status":"success","data":{"resultType":"matrix","result":${JSON.stringify(result)}}${extra}}`;
const bits = (xs: number[]) => xs.map((x) => (Object.is(x, -0) ? '-0' : String(x)));

test('a matrix answer scanned from its bytes reads as JSON.parse and the checks read it, to the bit', () => {
  const values = ['0', '-0', '2410661997', '999999999999999', '50721381362897275', '1.5', '0.1', '2.5e-7', '1e21', '1000000000000000000000000', '4.9e-324'];
  const times = [1796577031, 1796577031.5, 1796577031.123, 0];
  const result = [
    { metric: { __name__: 'm', rank: '0', pod: 'a"}{b\\', who: 'Zoë 東京' }, values: values.map((v, k) => [times[k % times.length]! + k * 15, v]) },
    { metric: {}, values: [] },
    { metric: { __name__: 'm', rank: '1' }, values: Array.from({ length: 20_000 }, (_, k) => [1796577031 + k * 15, String(2e9 + ((k * 7919) % 100_003))]) },
  ];
  const text = answer(result);
  const want = parsed(text), got = scanned(text);
  assert.deepEqual(got, want);
  got.forEach((s, i) => assert.deepEqual(bits(s.v), bits(want[i]!.v)));
  assert.deepEqual(scanned(answer([])), []);
});

test('another shape, or a value the reader refuses, is left to JSON.parse (null)', () => {
  const one = (v: string) => answer([{ metric: { a: 'b' }, values: [[1, v]] }]);
  for (const v of ['-1', 'NaN', '+Inf', '-Inf', '', ' 5', '0x10', '1e400', '01', 'abc']) assert.equal(scanMatrixAnswer(Buffer.from(one(v))), null, v);
  for (const text of [
    answer([{ metric: { a: 'b' }, values: [[1, '2']] }], ',"warnings":["x"]'),
    '{"status":"success","data":{"resultType":"vector","result":[]}}',
    '{"status":"error","errorType":"bad_data","error":"x"}',
    '{"data":{"resultType":"matrix","result":[]},"status":"success"}',
    answer([{ metric: { a: 'b' }, histograms: [[1, { count: '1' }]] }]),
    answer([{ metric: { a: 'b' }, values: [[1, 2]] }]),
    answer([{ metric: { a: 'b' }, values: [['1', '2']] }]),
    `${answer([{ metric: { a: 'b' }, values: [[1, '2']] }])}\n`,
  ]) assert.equal(scanMatrixAnswer(Buffer.from(text)), null, text);
  const whole = answer([{ metric: { a: 'b' }, values: [[1, '2'], [3, '4']] }]);
  for (let cut = 1; cut < whole.length; cut++) assert.equal(scanMatrixAnswer(Buffer.from(whole.slice(0, cut))), null, whole.slice(0, cut));
});
