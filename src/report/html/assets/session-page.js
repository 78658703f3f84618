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
  // Dates as ISO 8601 in the viewer's zone, the zone always said (a pasted screenshot must not read as a
  // US-style 12/7/26 of unknown zone): 2026-12-07T14:15:03+01:00.
  function zone(d) {
    var off = -d.getTimezoneOffset(), a = Math.abs(off);
    return off === 0 ? 'Z' : (off > 0 ? '+' : '-') + pad(Math.floor(a / 60)) + ':' + pad(a % 60);
  }
  function day(d) { return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }
  function clock(d, secs) { return pad(d.getHours()) + ':' + pad(d.getMinutes()) + (secs ? ':' + pad(d.getSeconds()) : ''); }
  function iso(t) { var d = new Date(t * 1000); return day(d) + 'T' + clock(d, true) + zone(d); }
  // Axis ticks: the time of day, with the date on the first tick and where the day changes.
  function isoTicks(u, vs) {
    var step = vs.length > 1 ? vs[1] - vs[0] : 60, prev = '';
    return vs.map(function (v) {
      var d = new Date(v * 1000), dd = day(d), label = clock(d, step < 60);
      var out = dd !== prev ? dd + '\n' + label : label;
      prev = dd;
      return out;
    });
  }
  var zoneName = 'UTC' + (zone(new Date()) === 'Z' ? '' : zone(new Date()));
  // The legend shows the last point's values until the cursor is over the chart (and again after).
  function lastIndex(cols) {
    for (var i = cols[0].length - 1; i >= 0; i--) if (cols[1][i] != null) return i;
    return null;
  }
  // One legend row for the shaded band (uPlot lists series, not bands): its swatch and its two edges.
  function addBandRow(u) {
    var table = u.root.querySelector('.u-legend');
    if (!table) return;
    var row = document.createElement('tr');
    row.className = 'u-series ld-band';
    row.innerHTML = '<th><div class="u-marker" style="background:rgba(217,119,6,0.25);border:1px solid rgba(217,119,6,0.5)"></div>' +
      '<div class="u-label">95 % interval of the rate (shaded band)</div></th><td class="u-value"></td>';
    (table.tBodies[0] || table).appendChild(row);
    u.__bandValue = row.querySelector('.u-value');
  }
  function showBand(u) {
    if (!u.__bandValue) return;
    // The band's edges are thinned points: read the nearest one at or before the cursor (else after).
    var i = u.legend.idx, lo = u.data[3], hi = u.data[4], j = i;
    while (j != null && j >= 0 && (lo[j] == null || hi[j] == null)) j--;
    if (i != null && (j == null || j < 0)) for (j = i; j < lo.length && (lo[j] == null || hi[j] == null); j++);
    var ok = j != null && j >= 0 && j < lo.length && lo[j] != null && hi[j] != null;
    u.__bandValue.textContent = ok ? mb(lo[j]) + ' – ' + mb(hi[j]) : '—';
  }
  var charts = [];
  data.charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    if (!el) return;
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', c.metric + ' of ' + c.label + ' over time: ' + c.cmdline);
    var series = [
      { label: data.realTime ? 'time (' + zoneName + ')' : 'elapsed', value: data.realTime ? function (u, v) { return v == null ? '' : iso(v); } : function (u, v) { return v == null ? '' : duration(v); } },
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
        data.realTime ? { space: 110, size: 60, values: isoTicks, label: 'time (' + zoneName + ')', labelSize: 20 } : { space: 90, values: function (u, vs) { return vs.map(duration); } },
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
      legend: { live: true },
      hooks: {
        setCursor: [function (u) { if (u.cursor.idx == null && last != null) u.setLegend({ idx: last }); }],
        setLegend: [showBand]
      }
    };
    var last = lastIndex(c.cols);
    var u = new uPlot(opts, c.cols, el);
    if (c.hasBaseline) addBandRow(u);
    if (last != null) u.setLegend({ idx: last });
    charts.push(u);
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (u) { u.setSize({ width: Math.max(320, u.root.parentNode.clientWidth), height: u.height }); });
  });
  window.__leakDetective = { charts: charts.length, plots: charts };
})();
