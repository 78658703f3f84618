// The HTML report's pure parts: inline JSON that cannot break out of its script element, per-pixel
// min/max downsampling that keeps every extreme.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inlineJson, inlineScript, escapeHtml } from '../../../src/report/html/page-shell.js';
import { downsampleMinMax, thin } from '../../../src/report/html/downsample.js';
import { rateBand } from '../../../src/report/html/session-chart-data.js';

test('inline JSON escapes </script>, <!-- and U+2028/2029 and still parses to the same value', () => {
  const v = { cmd: 'python x.py </script><script>alert(1)</script> <!-- \u2028\u2029 &' };
  const s = inlineJson(v);
  assert.ok(!s.includes('<') && !s.includes('\u2028') && !s.includes('\u2029'));
  assert.deepEqual(JSON.parse(s), v);
  assert.equal(inlineScript('a("</script>")'), 'a("<\\/script>")');
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('min/max downsampling: ≤ 2 points per bucket, every spike and dip kept, time order kept', () => {
  const n = 100_000;
  const t = Float64Array.from({ length: n }, (_, i) => i * 0.864);
  const v = Float64Array.from({ length: n }, (_, i) => 1000 + i * 0.001 + (i === 31_337 ? 500 : 0) - (i === 77_777 ? 400 : 0));
  const d = downsampleMinMax(t, v, 1600);
  assert.ok(d.x.length <= 3200 && d.x.length > 1600, String(d.x.length));
  assert.equal(Math.max(...d.y), v[31_337]);
  assert.equal(Math.min(...d.y), v[77_777]);
  assert.equal(d.y[0], 1000);
  assert.equal(d.y.at(-1), v[n - 1]);
  for (let i = 1; i < d.x.length; i++) assert.ok(d.x[i]! > d.x[i - 1]!);
  const short = downsampleMinMax([0, 1, 2], [5, 6, 7], 1600);
  assert.deepEqual(short, { x: [0, 1, 2], y: [5, 6, 7] });
  const th = thin(Array.from({ length: 10 }, (_, i) => i), Array.from({ length: 10 }, (_, i) => i), 4);
  assert.deepEqual(th.x, [0, 3, 6, 9]);
});

test('the rate band covers the steady stretch only, pinned at its middle, fanning by the interval', () => {
  // Warm-up flat for 10 min, then 20 MB/min for 20 min; interval 18–22 MB/min.
  const x = Array.from({ length: 31 }, (_, i) => i * 60);
  const y = x.map((t) => (t <= 600 ? 100 : 100 + ((t - 600) / 60) * 20));
  const band = rateBand({ x, y }, [18, 22], 20)!;
  assert.ok(band.lo.slice(0, 10).every((v) => v === null), 'no band over the warm-up');
  const mid = 20; // t = 1200 s, the middle of 600..1800
  assert.equal(band.lo[mid], y[mid]);
  assert.equal(band.hi[mid], y[mid]);
  assert.equal(band.hi[30]! - band.lo[30]!, 4 * 10, 'at the end, 10 min from the middle: (22 − 18) × 10');
  assert.equal(rateBand({ x, y }, null, 20), null);
});
