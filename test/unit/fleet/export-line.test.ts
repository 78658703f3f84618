// VictoriaMetrics' export lines read from their bytes (src/fleet/export-line.ts): the same labels and
// numbers as JSON.parse, to the bit, for every number form JSON allows; the same refusal for what JSON
// refuses; lines in another shape read by JSON.parse as they were.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExportLine } from '../../../src/fleet/export-line.js';

/** What the reader gets from one line, with typed arrays made plain (to compare with JSON.parse's). */
function read(line: string): unknown {
  const r = parseExportLine(Buffer.from(line)) as { metric: unknown; values: unknown; timestamps: unknown };
  const plain = (x: unknown) => (x instanceof Float64Array ? Array.from(x) : x);
  return { metric: r.metric, values: plain(r.values), timestamps: plain(r.timestamps) };
}

const same = (line: string) => {
  const want = JSON.parse(line) as { metric: unknown; values: unknown; timestamps: unknown };
  const got = read(line) as typeof want;
  assert.deepEqual(got, { metric: want.metric, values: want.values, timestamps: want.timestamps }, line);
  // to the bit: -0 and 0 differ here, and deepEqual treats them as equal
  const bits = (xs: unknown) => (Array.isArray(xs) ? xs.map((x) => (Object.is(x, -0) ? '-0' : String(x))) : xs);
  assert.deepEqual(bits(got.values), bits(want.values), line);
};

test('the numbers of an export line are the ones JSON.parse reads, to the bit', () => {
  const numbers = [
    '0', '-0', '7', '2410661997', '999999999999999', '1000000000000000', '9007199254740993', '50721381362897275', '3260715101187759486', '123456789012345678901234567890',
    '1.5', '0.1', '-2.25', '1e3', '1E+3', '2.5e-7', '-0.0', '1796577031000', '4.9e-324', '1.7976931348623157e308', '1e400',
  ];
  for (const n of numbers) same(`{"metric":{"__name__":"m","rank":"1"},"values":[${n},${n}],"timestamps":[1796577031000,1796577046000]}`);
  const many = Array.from({ length: 20_000 }, (_, i) => 2e9 + ((i * 7919) % 100_003)); // past the first buffer's size
  same(JSON.stringify({ metric: { __name__: 'm' }, values: many, timestamps: many.map((_, i) => 1796577031000 + i * 15000) }));
  same('{"metric":{},"values":[],"timestamps":[]}');
});

test('labels with quotes, braces, backslashes and UTF-8 are the ones JSON.parse reads', () => {
  same(JSON.stringify({ metric: { __name__: 'm', pod: 'a"}{b', path: 'C:\\x\\}', who: 'Zoë 東京 \u0007' }, values: [1, 2], timestamps: [3, 4] }));
});

test('a line in another shape is read by JSON.parse: another key order, spaces, strings, null', () => {
  for (const line of [
    '{"values":[1],"metric":{"a":"b"},"timestamps":[2]}',
    '{"metric":{"a":"b"},"values":[1, 2],"timestamps":[3,4]}',
    '{ "metric":{"a":"b"},"values":[1],"timestamps":[2]}',
    '{"metric":{"a":"b"},"values":["1"],"timestamps":[2]}',
    '{"metric":{"a":"b"},"values":[null],"timestamps":[2]}',
    '{"metric":null,"values":[1],"timestamps":[2]}',
    '{"metric":{"a":"b"},"values":[1],"timestamps":[2],"extra":true}',
    '{"metric":{"a":"b"},"values":[1],"timestamps":[2]}\r',
  ]) same(line);
});

test('what JSON refuses is refused: leading zeros, bare signs, dots and exponents, NaN, cut lines', () => {
  for (const bad of ['01', '-', '+1', '.5', '1.', '1e', '1e+', 'NaN', 'Infinity', '0x10', '--1', '1..2']) {
    const line = `{"metric":{"a":"b"},"values":[${bad}],"timestamps":[1]}`;
    assert.throws(() => JSON.parse(line), SyntaxError, `JSON refuses ${bad}`);
    assert.throws(() => parseExportLine(Buffer.from(line)), SyntaxError, bad);
  }
  const whole = '{"metric":{"a":"b"},"values":[12,34],"timestamps":[56,78]}';
  for (let cut = 1; cut < whole.length; cut++) assert.throws(() => parseExportLine(Buffer.from(whole.slice(0, cut))), SyntaxError, whole.slice(0, cut));
});
