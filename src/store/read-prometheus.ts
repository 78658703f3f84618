// Any memory series a Prometheus holds, loaded as a recorded session: one "process" per series, named
// by the labels that tell the series apart (`rank=3`), so the same analysis, report and gate apply.
import { countSamples, fetchRawSeries, fetchSteppedSeries, type ApiSeries } from './prometheus-api.js';
import type { ProcessSeries, RawFigures, RecordedSession } from './read-session.js';
import { notFoundError, usageError } from '../errors.js';
import type { Metric } from '../types.js';

export interface PrometheusQuery {
  url: string;
  selector: string;
  /** Window end (epoch ms) and length. */
  endMs: number;
  sinceMs: number;
  /** Evaluate every stepMs instead of reading raw samples. */
  stepMs: number | null;
  /** Bytes per unit of the series' values; null = detect from the metric name. */
  unitBytes: number | null;
  onProgress?: (done: number, of: number) => void;
}

export const UNITS: Record<string, number> = { bytes: 1, B: 1, kB: 1e3, KiB: 1024, MB: 1024 ** 2, MiB: 1024 ** 2, GB: 1024 ** 3, GiB: 1024 ** 3 };

/**
 * Past this many samples a series is read as bucket means (exact counts, first/last/min/max kept):
 * the analysis costs ~25 ms per 1,000 points, and a fleet query returns dozens of long series
 * (64 × 24 h at 15 s: 2,000 points = 43 s means, 3 s of analysis instead of 7).
 */
export const MAX_POINTS_PER_SERIES = 2000;

/** Bytes per unit for a metric name: DCGM's framebuffer gauges are MiB; everything else is taken as bytes. */
export function unitOf(name: string): { bytes: number; known: boolean } {
  if (/^DCGM_FI_DEV_FB_(USED|FREE|TOTAL|RESERVED)$/.test(name)) return { bytes: 1024 ** 2, known: true };
  if (/_bytes$/.test(name)) return { bytes: 1, known: true };
  return { bytes: 1, known: false };
}

/** Which of our metrics a foreign series is closest to (the Report JSON's `metric`). */
export function metricOf(labels: Record<string, string>): Metric {
  const name = labels.__name__ ?? '';
  if (name.startsWith('leak_detective_') && ['uss', 'pss', 'rss', 'swap', 'vram'].includes(labels.type ?? '')) return labels.type as Metric;
  if (name.startsWith('DCGM_FI_DEV_FB_')) return 'vram';
  const memtype = labels.memtype; // process-exporter
  if (memtype === 'proportionalResident') return 'pss';
  if (memtype === 'swapped' || memtype === 'proportionalSwapped' || /swap/.test(name)) return 'swap';
  return 'rss';
}

/**
 * Short names that tell series apart (`rank=3`): labels are added, those with the most distinct
 * values first (target labels such as instance and job last), until every name is unique.
 */
export function nameSeries(all: Record<string, string>[]): string[] {
  const keys = [...new Set(all.flatMap((m) => Object.keys(m)))];
  const distinct = (k: string) => new Set(all.map((m) => m[k] ?? '')).size;
  const generic = (k: string) => (k === '__name__' ? 0 : ['instance', 'job', 'exported_job', 'exported_instance'].includes(k) ? 2 : 1);
  const varying = keys.filter((k) => distinct(k) > 1).sort((a, b) => distinct(b) - distinct(a) || generic(a) - generic(b) || a.localeCompare(b));
  const chosen: string[] = [];
  const unique = () => new Set(all.map((m) => chosen.map((k) => m[k] ?? '').join('\u0000'))).size === all.length;
  for (const k of varying) {
    if (unique()) break;
    chosen.push(k);
  }
  chosen.sort((a, b) => (a === '__name__' ? -1 : b === '__name__' ? 1 : a.localeCompare(b)));
  return all.map((m) => {
    const parts = chosen.filter((k) => m[k] !== undefined).map((k) => (k === '__name__' ? m[k]! : `${k}=${m[k]}`));
    const name = parts.join(',') || m.__name__ || 'series';
    return name.length > 120 ? `${name.slice(0, 119)}…` : name;
  });
}

/** The full identity of a series, as PromQL writes it. */
export function describeSeries(m: Record<string, string>): string {
  const labels = Object.keys(m).filter((k) => k !== '__name__').sort().map((k) => `${k}=${JSON.stringify(m[k])}`);
  return `${m.__name__ ?? ''}{${labels.join(',')}}`;
}

/** Read the window from Prometheus; `warnings` are to be said once on stderr. */
export async function readPrometheus(q: PrometheusQuery): Promise<{ session: RecordedSession; warnings: string[] }> {
  const startMs = q.endMs - q.sinceMs;
  let series: ApiSeries[];
  if (q.stepMs !== null) series = await fetchSteppedSeries(q.url, q.selector, startMs, q.endMs, q.stepMs);
  else {
    const counts = await countSamples(q.url, q.selector, startMs, q.endMs);
    if (counts !== null && counts.length === 0) throw noSeries(q);
    const expected = counts === null ? Math.ceil(q.sinceMs / 3_600_000) * 500_000 : counts.reduce((a, b) => a + b, 0);
    series = await fetchRawSeries(q.url, q.selector, startMs, q.endMs, expected, q.onProgress);
  }
  series = series.filter((s) => s.values.length > 0);
  if (series.length === 0) throw noSeries(q);
  const warnings: string[] = [];
  const guessed = new Set<string>();
  const names = nameSeries(series.map((s) => s.metric));
  const t0 = Math.min(...series.map((s) => s.values[0]![0])) * 1000;
  const processes = series.map((s, i) => {
    const unit = q.unitBytes ?? unitOf(s.metric.__name__ ?? '').bytes;
    if (q.unitBytes === null && !unitOf(s.metric.__name__ ?? '').known) guessed.add(s.metric.__name__ ?? '?');
    return toProcess(s, names[i]!, unit, t0);
  });
  if (guessed.size > 0) warnings.push(`took ${[...guessed].join(', ')} to be in bytes (the name does not say); pass --unit MiB (or kB, GiB…) if not`);
  const spacing = medianSpacing(series[0]!.values);
  return {
    session: {
      info: {
        id: 0, label: q.selector, started_at: new Date(t0).toISOString(), interval_s: spacing, source: 'prometheus',
        ended_at: new Date(q.endMs).toISOString(), end_reason: null,
      },
      processes,
      bucketMs: null,
      ticks: Math.max(...processes.map((p) => p.t_ms.length)),
    },
    warnings,
  };
}

function noSeries(q: PrometheusQuery) {
  return notFoundError(`no series match \`${q.selector}\` at ${q.url} in the ${Math.round(q.sinceMs / 60000)} min before ${new Date(q.endMs).toISOString()}; check the selector in Prometheus' graph page, or widen --since`);
}

/** One series → one process row; past MAX_POINTS_PER_SERIES, bucket means plus exact raw figures. */
function toProcess(s: ApiSeries, name: string, unitBytes: number, t0: number): ProcessSeries {
  const metric = metricOf(s.metric);
  const p: ProcessSeries = {
    info: { pid: 0, ppid: 0, start_ticks: 0, name, cmdline: describeSeries(s.metric), role: 'main' },
    rowId: 0, t_ms: [], rss: [], uss: [], pss: [], swap: [], vram: [], cpu: [],
  };
  const n = s.values.length;
  const bucketMs = n > MAX_POINTS_PER_SERIES ? ((s.values[n - 1]![0] - s.values[0]![0]) * 1000 + 1) / MAX_POINTS_PER_SERIES : null;
  const raw: RawFigures = { samples: 0, min: null, max: null, first: null, last: null };
  let bucket = -1, sum = 0, cnt = 0;
  const flush = () => {
    if (cnt === 0) return;
    p.t_ms.push(bucketMs === null ? bucket : t0 + (bucket + 0.5) * bucketMs);
    for (const m of ['rss', 'uss', 'pss', 'swap', 'vram', 'cpu'] as const) p[m].push(m === metric ? sum / cnt : null);
    sum = cnt = 0;
  };
  for (const [ts, text] of s.values) {
    const v = Number(text) * unitBytes;
    if (!Number.isFinite(v)) continue; // NaN/Inf samples carry no reading
    raw.samples++;
    raw.first ??= v;
    raw.last = v;
    raw.min = raw.min === null || v < raw.min ? v : raw.min;
    raw.max = raw.max === null || v > raw.max ? v : raw.max;
    const t = ts * 1000;
    const b = bucketMs === null ? t : Math.floor((t - t0) / bucketMs);
    if (b !== bucket) flush();
    bucket = b;
    sum += v;
    cnt++;
  }
  flush();
  if (bucketMs !== null) {
    const none: RawFigures = { samples: 0, min: null, max: null, first: null, last: null };
    p.raw = { rss: none, uss: none, pss: none, swap: none, vram: none, [metric]: raw };
  }
  return p;
}

function medianSpacing(values: [number, string][]): number {
  const gaps: number[] = [];
  for (let i = 1; i < values.length && i < 2000; i++) gaps.push(values[i]![0] - values[i - 1]![0]);
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return Math.round(gaps[Math.floor(gaps.length / 2)]! * 1000) / 1000;
}

/** Parse --unit. */
export function parseUnit(text: string): number {
  const u = UNITS[text];
  if (u === undefined) throw usageError(`--unit must be one of ${Object.keys(UNITS).join(', ')}, got \`${text}\``);
  return u;
}
