// The Prometheus metrics, built with prom-client on a private Registry. Gauges are filled from the
// exporter's state when scraped (collect), so the sampling path only updates plain numbers.
import { Counter, Gauge, Registry, openMetricsContentType, type OpenMetricsContentType, type PrometheusContentType } from 'prom-client';
import { LABEL_NAMES, MEMORY_TYPES, type SeriesGroups } from './series-groups.js';
import type { Classification } from '../types.js';

const STATES: readonly Classification[] = ['growing', 'cycling', 'plateau', 'stable', 'insufficient-data'];

export interface BuildInfo {
  version: string;
}

/** Both formats: the classic text (what promtool and every Prometheus parse) and OpenMetrics. */
export interface MetricRegistries {
  text: Registry<PrometheusContentType>;
  openMetrics: Registry<OpenMetricsContentType>;
}

/**
 * One registry per format: prom-client renames counters in place when it renders OpenMetrics, so a
 * registry shared by both formats would lose `_total` in the classic one after the first such scrape.
 */
export function createRegistries(state: SeriesGroups, build: BuildInfo): MetricRegistries {
  const text = new Registry<PrometheusContentType>();
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(openMetricsContentType);
  registerMetrics(text, state, build);
  registerMetrics(openMetrics, state, build);
  return { text, openMetrics };
}

function registerMetrics(registry: Registry<PrometheusContentType> | Registry<OpenMetricsContentType>, state: SeriesGroups, build: BuildInfo): void {
  const labelNames = [...LABEL_NAMES];
  const registers = [registry];
  // A gauge is refilled only when the state it shows has changed since its last scrape: the analysis
  // results change every 15 s or more, so most scrapes skip re-setting them.
  const seen = new Map<string, number>();
  const fresh = (family: string, version: number): boolean => {
    if (seen.get(family) === version) return false;
    seen.set(family, version);
    return true;
  };
  new Gauge({
    name: 'leak_detective_process_memory_bytes',
    help: 'Memory of the tracked processes that share these labels (summed), by type: uss, pss, rss, swap, vram.',
    labelNames: ['type', ...labelNames],
    registers,
    collect() {
      if (!fresh('memory', state.tickVersion)) return; // several scrapes within one tick: same values
      this.reset();
      for (const s of state.series.values()) {
        if (s.goneAtMs !== null) continue;
        for (const t of MEMORY_TYPES) {
          const v = s.memory[t];
          if (v !== null) this.set({ type: t, ...s.labels }, v);
        }
      }
    },
  });
  const rateGauge = (name: string, help: string, pick: (r: NonNullable<ReturnType<typeof rateOf>>) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['type', ...labelNames],
      registers,
      collect() {
        if (!fresh(name, state.rateVersion)) return;
        this.reset();
        for (const s of state.series.values()) {
          const r = rateOf(s);
          const v = r ? pick(r) : null;
          if (r && v !== null) this.set({ type: r.type, ...s.labels }, v);
        }
      },
    });
  rateGauge(
    'leak_detective_growth_rate_bytes_per_second',
    'Steady-state growth rate of the recent window (about 0 for cycling, plateau and stable memory).',
    (r) => r.bytesPerSecond,
  );
  rateGauge('leak_detective_growth_rate_lower_bytes_per_second', 'Lower bound of the growth rate\'s 95 % interval.', (r) => r.lowerBytesPerSecond);
  rateGauge('leak_detective_growth_rate_upper_bytes_per_second', 'Upper bound of the growth rate\'s 95 % interval.', (r) => r.upperBytesPerSecond);
  new Gauge({
    name: 'leak_detective_classification',
    help: 'What the recent window looks like, as a state set: 1 for the current state, 0 for the others.',
    labelNames: ['state', ...labelNames],
    registers,
    collect() {
      if (!fresh('classification', state.rateVersion)) return; // states change only when analysed
      this.reset();
      for (const s of state.series.values()) {
        if (s.goneAtMs !== null) continue;
        const current = s.rate?.classification ?? 'insufficient-data';
        for (const st of STATES) this.set({ state: st, ...s.labels }, st === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'leak_detective_processes',
    help: 'Live processes summed into the series with these labels.',
    labelNames,
    registers,
    collect() {
      if (!fresh('processes', state.tickVersion)) return;
      this.reset();
      for (const s of state.series.values()) if (s.goneAtMs === null) this.set({ ...s.labels }, s.processes);
    },
  });
  new Counter({
    name: 'leak_detective_samples_total',
    help: 'Memory readings taken (one per process per tick).',
    registers,
    collect() {
      this.reset();
      this.inc(state.samplesTaken);
    },
  });
  new Gauge({
    name: 'leak_detective_build_info',
    help: 'Always 1; the labels say which leak-detective and Node serve these metrics.',
    labelNames: ['version', 'nodeversion'],
    registers,
  }).set({ version: build.version, nodeversion: process.versions.node }, 1);
}

/** A series' rate, unless it has gone or has no rate yet. */
function rateOf(s: ReturnType<SeriesGroups['series']['get']>) {
  return s && s.goneAtMs === null && s.rate && s.rate.bytesPerSecond !== null ? s.rate : null;
}
