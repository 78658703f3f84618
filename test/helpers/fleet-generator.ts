// A generated fleet with its truth, and the means to put it into a real VictoriaMetrics: N series of
// `fleet_memory_bytes{job,node,rank}` at a fixed scrape interval, each one of five shapes (growing at a
// known rate, a GC sawtooth, an epoch cycle, a warm-up plateau, stable), with seeded noise.
import http from 'node:http';
import { rng } from '../../src/analyze/stats.js';
import type { Classification } from '../../src/types.js';

export interface FleetSeriesTruth {
  labels: Record<string, string>;
  kind: 'growing' | 'sawtooth' | 'cycling' | 'plateau' | 'stable';
  /** What a right analysis calls it. */
  label: Classification;
  /** MB/min at the end of the window (growing), else 0. */
  rate: number;
}

export interface FleetSpec {
  series: number;
  hours: number;
  stepS: number;
  /** Last sample time (epoch ms). */
  endMs: number;
  seed?: number;
  metric?: string;
}

const MiB = 1024 * 1024;

/** The shape of series i: every 50th grows, 1 in 10 is a sawtooth, 1 in 10 cycles, 1 in 20 plateaus. */
export function truthOf(i: number, metric = 'fleet_memory_bytes'): FleetSeriesTruth {
  const labels = { __name__: metric, job: 'train', node: `node${String(i >> 3).padStart(4, '0')}`, rank: String(i) };
  const k = i % 50;
  if (k === 7) return { labels, kind: 'growing', label: 'growing', rate: 1 + (i % 9) }; // 1–9 MB/min
  if (k % 10 === 3) return { labels, kind: 'sawtooth', label: 'cycling', rate: 0 };
  if (k % 10 === 5) return { labels, kind: 'cycling', label: 'cycling', rate: 0 };
  if (k % 20 === 9) return { labels, kind: 'plateau', label: 'plateau', rate: 0 };
  return { labels, kind: 'stable', label: 'stable', rate: 0 };
}

/** MB at minute m of the window for series i (without noise). */
function shape(t: FleetSeriesTruth, i: number, m: number, span: number): number {
  const base = 2000 + (i % 13) * 100;
  switch (t.kind) {
    case 'growing': return base + t.rate * m;
    case 'sawtooth': { const p = 20 + (i % 5) * 4; return base + 300 * ((m % p) / p); } // rises, then released at once
    case 'cycling': { const p = 45 + (i % 4) * 15; return base + 150 * Math.sin((2 * Math.PI * m) / p); }
    case 'plateau': return base + 600 * (1 - Math.exp(-m / (span / 40)));
    default: return base;
  }
}

/** One series' samples: timestamps (ms) and values (bytes), seeded. */
export function samplesOf(i: number, spec: FleetSpec): { truth: FleetSeriesTruth; timestamps: number[]; values: number[] } {
  const truth = truthOf(i, spec.metric);
  const r = rng((spec.seed ?? 1) * 1_000_003 + i);
  const n = Math.floor((spec.hours * 3600) / spec.stepS);
  const span = (n * spec.stepS) / 60;
  const timestamps: number[] = [], values: number[] = [];
  for (let k = 0; k < n; k++) {
    const t = spec.endMs - (n - 1 - k) * spec.stepS * 1000;
    const m = (k * spec.stepS) / 60;
    timestamps.push(t);
    values.push(Math.round((shape(truth, i, m, span) + (r() - 0.5) * 6) * MiB));
  }
  return { truth, timestamps, values };
}

/** Import the fleet into VictoriaMetrics (/api/v1/import, JSON lines, streamed) and make it searchable. */
export async function importFleet(vmUrl: string, spec: FleetSpec): Promise<FleetSeriesTruth[]> {
  const truths: FleetSeriesTruth[] = [];
  const u = new URL('/api/v1/import', vmUrl);
  await new Promise<void>((resolve, reject) => {
    const req = http.request(u, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 204 || res.statusCode === 200 ? resolve() : reject(new Error(`import: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    let i = 0;
    const write = () => {
      while (i < spec.series) {
        const s = samplesOf(i++, spec);
        truths.push(s.truth);
        if (!req.write(`${JSON.stringify({ metric: s.truth.labels, values: s.values, timestamps: s.timestamps })}\n`)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
  const flushed = await fetch(new URL('/internal/force_flush', vmUrl));
  if (!flushed.ok) throw new Error(`force_flush: HTTP ${flushed.status}`);
  return truths;
}

/** The same fleet as OpenMetrics text (for promtool tsdb create-blocks-from openmetrics), written in pieces. */
export function* openMetricsOf(spec: FleetSpec): Generator<string> {
  const metric = spec.metric ?? 'fleet_memory_bytes';
  yield `# TYPE ${metric} gauge\n`;
  for (let i = 0; i < spec.series; i++) {
    const s = samplesOf(i, spec);
    const l = s.truth.labels;
    const lines: string[] = [];
    for (let k = 0; k < s.values.length; k++) lines.push(`${metric}{job="${l.job}",node="${l.node}",rank="${l.rank}"} ${s.values[k]} ${(s.timestamps[k]! / 1000).toFixed(3)}\n`);
    yield lines.join('');
  }
  yield '# EOF\n';
}
