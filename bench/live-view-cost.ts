// Benchmark (issue 21.1): what leak-track's live view costs per tick on a terminal once a long run has
// filled its bounded series (512 points): the chart redraw and the rate line, whose analysis runs at
// most every 2 s on that bounded copy, never on the whole history. Fed 3,000 ticks of a 2-s tracker,
// then timed over 300 more, in CPU time; three shapes, as the analysis's path depends on them.
// Run: node dist/bench/live-view-cost.js
import { LiveView } from '../src/cli/live-view.js';
import type { TickSummary } from '../src/track/sampler.js';

const MiB = 1048576;
const out = { isTTY: true, columns: 120, write: () => true } as unknown as NodeJS.WritableStream & { isTTY: boolean; columns: number };
let now = 1_000_000;
Date.now = () => now; // the view paces itself by Date.now: a 2-s tick without waiting 2 s
let seed = 7;
const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 5;
const shapes: Record<string, (i: number) => number> = {
  'flat, noisy': () => 2000 + noise(),
  'leak 1.5 MB/min, noisy': (i) => 2000 + i * 0.05 + noise(),
  'slow leak under a 3-min sawtooth': (i) => 2000 + ((i % 90) / 90) * 40 + i * 0.01 + noise(),
};

for (const [shape, mb] of Object.entries(shapes)) {
  const tick = (i: number): TickSummary => ({
    tick: i, elapsedMs: i * 2000, processes: 100, main: null, costMs: 1, rows: [], treeBytes: mb(i) * MiB, treeMetric: 'pss', treeLeftOut: 0, mainBytes: (200 + noise()) * MiB, mainMetric: 'uss',
  });
  const view = new LiveView({ out, mode: 'chart', plannedMs: 0, label: 'leak-track python3 4242', color: true });
  let i = 0;
  for (; i < 3000; i++) (now += 2000, view.update(tick(i)));
  const N = 300;
  const c0 = process.cpuUsage();
  for (; i < 3000 + N; i++) (now += 2000, view.update(tick(i)));
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000 / N;
  console.log(JSON.stringify({ what: 'live view on a terminal, 512-point series', shape, ms_cpu_per_tick: +ms.toFixed(2), pct_of_a_core_at_2s: +((ms / 2000) * 100).toFixed(3) }));
}
