// leak-detective HTML report: draws each process's chart from the inline JSON with uPlot.
// Drag to zoom (x), double-click to reset: uPlot's own cursor behaviour.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ld-data').textContent);
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  function duration(s) {
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h > 0 ? h + 'h' + pad(m) + 'm' : m > 0 ? m + 'm' + pad(r) + 's' : r + 's';
  }
  function mb(v) { return v == null ? '—' : (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)) + ' MB'; }
  // Tick labels with as many decimals as the tick step needs (a flat 480 MB line has 0.05 MB steps).
  function mbTicks(u, vs) {
    var step = vs.length > 1 ? Math.abs(vs[1] - vs[0]) : 1;
    var d = step > 0 && step < 1 ? Math.min(3, Math.ceil(-Math.log10(step))) : 0;
    return vs.map(function (v) { return v.toFixed(d) + ' MB'; });
  }
  var charts = [];
  data.charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    if (!el) return;
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', c.metric + ' of ' + c.label + ' over time: ' + c.cmdline);
    var series = [
      { label: data.realTime ? 'time' : 'elapsed', value: data.realTime ? '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' : function (u, v) { return v == null ? '' : duration(v); } },
      { label: c.metric, stroke: '#2563eb', width: 1, spanGaps: true, points: { show: false }, value: function (u, v) { return mb(v); } },
      { label: c.troughs ? 'baseline (cycle troughs)' : 'fitted baseline', stroke: '#d97706', width: 2, dash: [6, 4], spanGaps: true,
        show: c.hasBaseline, points: { show: c.troughs, size: 6, stroke: '#d97706', fill: '#fff' }, value: function (u, v) { return mb(v); } },
      { label: 'rate 95 % low', stroke: 'rgba(217,119,6,0.35)', width: 1, spanGaps: true, points: { show: false }, show: c.hasBaseline, value: function (u, v) { return mb(v); } },
      { label: 'rate 95 % high', stroke: 'rgba(217,119,6,0.35)', width: 1, spanGaps: true, points: { show: false }, show: c.hasBaseline, value: function (u, v) { return mb(v); } }
    ];
    var opts = {
      width: Math.max(320, el.clientWidth || 900),
      height: c.height,
      // At least ±1 % (≥ 1 MB) around the middle: noise on a flat line must not look like a signal.
      scales: { x: { time: data.realTime }, y: { range: function (u, lo, hi) {
        var mid = (lo + hi) / 2, half = Math.max(((hi - lo) / 2) * 1.08, Math.abs(mid) * 0.01, 1);
        return [mid - half, mid + half];
      } } },
      series: series,
      bands: c.hasBaseline ? [{ series: [4, 3], fill: 'rgba(217,119,6,0.12)' }] : [],
      axes: [
        data.realTime ? { space: 90 } : { space: 90, values: function (u, vs) { return vs.map(duration); } },
        { size: 80, values: mbTicks }
      ],
      // leak-track --explain's profile windows: shaded behind the series (left out of the fit).
      hooks: { drawClear: [function (u) {
        (c.windows || []).forEach(function (w) {
          var x0 = u.valToPos(w[0], 'x', true), x1 = u.valToPos(w[1], 'x', true);
          u.ctx.fillStyle = 'rgba(124,58,237,0.15)';
          u.ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height);
        });
      }] },
      cursor: { drag: { x: true, y: false } },
      legend: { live: true }
    };
    charts.push(new uPlot(opts, c.cols, el));
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (u) { u.setSize({ width: Math.max(320, u.root.parentNode.clientWidth), height: u.height }); });
  });
  window.__leakDetective = { charts: charts.length, plots: charts };
})();
