// Any memory series a Prometheus-API server holds, seen as one of our processes: its unit, which of
// our metrics it is closest to, and a short name from the labels that tell it apart (`rank=3`).
// Reading and judging a fleet of them is src/fleet/.
import { usageError } from '../errors.js';
import type { Metric } from '../types.js';

export const UNITS: Record<string, number> = { bytes: 1, B: 1, kB: 1e3, KiB: 1024, MB: 1024 ** 2, MiB: 1024 ** 2, GB: 1024 ** 3, GiB: 1024 ** 3 };

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

/** Parse --unit. */
export function parseUnit(text: string): number {
  const u = UNITS[text];
  if (u === undefined) throw usageError(`--unit must be one of ${Object.keys(UNITS).join(', ')}, got \`${text}\``);
  return u;
}
