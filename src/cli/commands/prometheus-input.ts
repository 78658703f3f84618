// leak-report's and leak-check's `--prometheus URL --query SELECTOR` input: flags and loading.
import type { Argv } from 'yargs';
import { usageError } from '../../errors.js';
import { parseDuration } from '../../units.js';
import { parseUnit, readPrometheus, UNITS } from '../../store/read-prometheus.js';
import type { RecordedSession } from '../../store/read-session.js';

export interface PrometheusArgs {
  url: string;
  selector: string;
  sinceS: number;
  stepS: number | null;
  unitBytes: number | null;
}

export const PROMETHEUS_USAGE = `  --prometheus URL --query SELECTOR [--since 6h] [--step 15s] [--unit MiB]
      read every series SELECTOR matches from a Prometheus (raw samples unless --step), one row per
      series, named by the labels that tell them apart; sizes in bytes, DCGM_FI_DEV_FB_* in MiB
      (--unit ${Object.keys(UNITS).join('|')} says otherwise)`;

/** Add the flags to a parser (with what --help and completion show). */
export function withPrometheusFlags<T>(p: Argv<T>) {
  return p
    .option('prometheus', { type: 'string', describe: 'read from this Prometheus (http://host:9090) instead of a DB or trace' })
    .option('query', { type: 'string', describe: 'with --prometheus: a series selector; one row per matching series' })
    .option('since', { type: 'string', describe: 'with --prometheus: how far back to read', defaultDescription: '6h' })
    .option('step', { type: 'string', describe: 'with --prometheus: resample to this step instead of raw samples', defaultDescription: 'raw samples' })
    .option('unit', { type: 'string', describe: `with --prometheus: the series' unit (${Object.keys(UNITS).join('|')})`, defaultDescription: 'bytes; MiB for DCGM_FI_DEV_FB_*' });
}

/** The --prometheus input, or null when reading a DB or a trace; throws on inconsistent flags. */
export function parsePrometheusArgs(a: Record<string, unknown>): PrometheusArgs | null {
  const own = ['query', 'since', 'step', 'unit'].filter((k) => a[k] !== undefined);
  if (a.prometheus === undefined) {
    if (own.length > 0) throw usageError(`--${own[0]} goes with --prometheus URL`);
    return null;
  }
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
  return {
    url,
    selector,
    sinceS: parseDuration(a.since ?? '6h', '--since', 's'),
    stepS: a.step === undefined ? null : parseDuration(a.step, '--step', 's'),
    unitBytes: a.unit === undefined ? null : parseUnit(String(a.unit)),
  };
}

/** Read the series; warnings and progress go to `say` (stderr), never to stdout. */
export async function loadPrometheusSession(p: PrometheusArgs, say: (line: string) => void): Promise<RecordedSession> {
  const { session, warnings } = await readPrometheus({
    url: p.url, selector: p.selector, endMs: Date.now(), sinceMs: p.sinceS * 1000, stepMs: p.stepS === null ? null : p.stepS * 1000, unitBytes: p.unitBytes,
    onProgress: (done, of) => of > 1 && say(`read ${done} of ${of} windows`),
  });
  for (const w of warnings) say(w);
  return session;
}
