import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJunit } from '../../../src/report/junit.js';
import { plotSeries, resample } from '../../../src/report/chart.js';
import type { ProcessReport } from '../../../src/types.js';

const row = (over: Partial<ProcessReport>): ProcessReport => ({
  pid: 4242, name: 'python', cmdline: 'python train.py --a "<b>"', role: 'main', metric: 'uss', samples: 10, duration_s: 60,
  first_mb: 1, last_mb: 2, min_mb: 1, max_mb: 2, rate_mb_per_min: 63.2, rate_ci95_mb_per_min: [58, 68], classification: 'growing', ...over,
});

test('JUnit: a failure per FAIL, skipped for INCONCLUSIVE, XML-escaped', () => {
  const xml = renderJunit('leak-check --max-rate 50', [
    { row: row({}), line: 'FAIL python 4242: growing 63.2 MB/min (CI 58–68) > 50', failed: true, skipped: false },
    { row: row({ pid: 7, classification: 'cycling' }), line: 'PASS python 7: cycling', failed: false, skipped: false },
    { row: row({ pid: 8 }), line: 'INCONCLUSIVE python 8', failed: false, skipped: true },
  ], 60);
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>/);
  assert.match(xml, /<testsuite name="leak-check --max-rate 50" tests="3" failures="1" skipped="1"/);
  assert.match(xml, /<failure message="FAIL python 4242: growing 63.2 MB\/min \(CI 58–68\) &gt; 50" type="leak">python train.py --a &quot;&lt;b&gt;&quot;<\/failure>/);
  assert.match(xml, /<skipped message="INCONCLUSIVE python 8"\/>/);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 3);
});

test('resample keeps a sawtooth visible instead of averaging it flat', () => {
  const t = Array.from({ length: 1000 }, (_, i) => i);
  const mb = t.map((x) => (x % 100) + 100);
  const cols = resample({ t_s: t, mb }, 0, 999, 40);
  assert.equal(cols.length, 40);
  assert.ok(Math.max(...cols) - Math.min(...cols) > 50);
});

test('plotSeries draws one row per height step with MB labels', () => {
  const t = Array.from({ length: 50 }, (_, i) => i);
  const chart = plotSeries([{ t_s: t, mb: t.map((x) => 100 + x) }], { width: 40, height: 5 });
  const lines = chart.split('\n');
  assert.equal(lines.length, 6);
  assert.match(lines[0]!, /14\d MB ┤/);
  assert.match(lines[lines.length - 1]!, /10\d MB ┼/);
  assert.equal(plotSeries([{ t_s: [], mb: [] }], { width: 40, height: 5 }), '');
});
