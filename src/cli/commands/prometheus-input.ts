// leak-report's and leak-check's `--prometheus URL --query SELECTOR` input: flags and loading.
import type { Argv } from 'yargs';
import { usageError } from '../../errors.js';
import { parseDuration } from '../../units.js';
import { parseUnit, UNITS } from '../../store/read-prometheus.js';
import { checkSelector } from '../../fleet/selector.js';

export interface PrometheusArgs {
  url: string;
  selector: string;
  sinceS: number;
  stepS: number | null;
  unitBytes: number | null;
  /** Window end (epoch ms); null = now. */
  untilMs: number | null;
  /** The whole read's time limit. */
  timeoutS: number;
  /** Worker threads judging series; null = one per core. */
  workers: number | null;
}

export const PROMETHEUS_USAGE = `  --prometheus URL --query SELECTOR [--since 6h] [--until TIME] [--step 15s] [--unit MiB] [--timeout 10m]
      read every series SELECTOR matches from a Prometheus-API server (Prometheus, VictoriaMetrics,
      Thanos, Mimir; raw samples unless --step), one row per series, named by the labels that tell them
      apart; sizes in bytes, DCGM_FI_DEV_FB_* in MiB (--unit ${Object.keys(UNITS).join('|')} says otherwise)`;

/** Add the flags to a parser (with what --help and completion show). */
export function withPrometheusFlags<T>(p: Argv<T>) {
  return p
    .option('prometheus', { type: 'string', describe: 'read from this Prometheus (http://host:9090) instead of a DB or trace' })
    .option('query', { type: 'string', describe: 'with --prometheus: a series selector; one row per matching series' })
    .option('since', { type: 'string', describe: 'with --prometheus: how far back to read', defaultDescription: '6h' })
    .option('step', { type: 'string', describe: 'with --prometheus: resample to this step instead of raw samples', defaultDescription: 'raw samples' })
    .option('until', { type: 'string', describe: 'with --prometheus: the window ends here (RFC 3339 or epoch seconds)', defaultDescription: 'now' })
    .option('timeout', { type: 'string', describe: 'with --prometheus: give up reading after this long (exit 3)', defaultDescription: '10m' })
    .option('workers', { type: 'number', describe: 'with --prometheus: threads judging series (0: judge in the reading thread)', defaultDescription: 'one per core' })
    .option('unit', { type: 'string', describe: `with --prometheus: the series' unit (${Object.keys(UNITS).join('|')})`, defaultDescription: 'bytes; MiB for DCGM_FI_DEV_FB_*' });
}

/** The --prometheus input, or null when reading a DB or a trace; throws on inconsistent flags. */
export function parsePrometheusArgs(a: Record<string, unknown>): PrometheusArgs | null {
  const own = ['query', 'since', 'step', 'unit', 'until', 'timeout', 'workers'].filter((k) => a[k] !== undefined);
  if (a.prometheus === undefined) {
    if (own.length > 0) throw usageError(`--${own[0]} goes with --prometheus URL`);
    return null;
  }
  if (a.metric !== undefined) throw usageError('--metric does not apply to --prometheus: each series is judged as what its name and labels say (a `type` label, DCGM_FI_DEV_FB_* as vram); narrow --query instead');
  for (const other of ['db', 'trace', 'session']) {
    if (a[other] !== undefined) throw usageError(`--prometheus reads from Prometheus; drop --${other}`);
  }
  const url = String(a.prometheus);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`--prometheus must be the server's URL, e.g. http://localhost:9090, got \`${url}\``);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw usageError(`--prometheus must be an http:// or https:// URL, got \`${url}\``);
  const selector = a.query === undefined ? '' : String(a.query).trim();
  if (selector === '') throw usageError(`--prometheus needs --query SELECTOR, e.g. --query 'leak_detective_process_memory_bytes{type="uss"}'`);
  checkSelector(selector);
  const workers = a.workers === undefined ? null : Number(a.workers);
  if (workers !== null && !(Number.isInteger(workers) && workers >= 0 && workers <= 64)) throw usageError(`--workers must be a whole number from 0 to 64, got \`${String(a.workers)}\``);
  const timeoutS = parseDuration(a.timeout ?? '10m', '--timeout', 's');
  if (!(timeoutS > 0)) throw usageError('--timeout must be above 0, e.g. --timeout 10m');
  return {
    url,
    selector,
    sinceS: parseDuration(a.since ?? '6h', '--since', 's'),
    stepS: a.step === undefined ? null : parseDuration(a.step, '--step', 's'),
    unitBytes: a.unit === undefined ? null : parseUnit(String(a.unit)),
    untilMs: a.until === undefined ? null : parseUntil(String(a.until)),
    timeoutS,
    workers,
  };
}

/** --until: RFC 3339 (2026-12-07T03:00:00Z) or epoch seconds. */
export function parseUntil(text: string): number {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : /^\d{4}-\d\d-\d\dT/.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw usageError(`--until must be a time, RFC 3339 (2026-12-07T03:00:00Z) or epoch seconds, got \`${text}\``);
  return ms;
}
