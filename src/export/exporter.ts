// leak-track's Prometheus side: the series state, the analysis on a timer (off the sampling path),
// the /metrics server and the textfile, fed by the tracking core's per-tick callback.
import { SeriesGroups, type RankEnv, type TickRow } from './series-groups.js';
import { createRegistries, type MetricRegistries } from './metrics.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { checkTextfileDir, removeTextfile, textfilePath, writeTextfile } from './write-textfile.js';
import { readRankEnv } from './read-rank-env.js';
import { analyzeSeries } from '../analyze/index.js';
import type { ListenAddress } from './listen-address.js';
import { packageVersion as rootPackageVersion } from '../package-root.js';

export interface ExporterOptions {
  listen: ListenAddress | null;
  textfileDir: string | null;
  job: string;
  /** How often each series' recent window is analysed at most (default 15 s). */
  refreshMs?: number;
  /** CPU the analysis may use on average, as a fraction of one core (default 0.05 %; GC inside a pass is counted). */
  analysisBudget?: number;
  /** How long an exited process's series stays exported (default 5 min). */
  graceMs?: number;
  /** Said once per condition (a textfile that cannot be written). */
  notice: (message: string) => void;
  /** Where to read a process's environment (tests). */
  readEnv?: (pid: number) => RankEnv;
}

/** A running exporter; `close` stops the timer and the server and removes the textfile. */
export interface Exporter {
  readonly address: ListenAddress | null;
  /** http://HOST:PORT/metrics, when serving. */
  readonly url: string | null;
  readonly textfile: string | null;
  readonly registries: MetricRegistries;
  /** Feed one committed tick (the tracking core's onTick rows); joins and exits are seen from the rows. */
  tick(rows: readonly TickRow[]): void;
  close(): Promise<void>;
}

/** The package version, for leak_detective_build_info. */
export function packageVersion(): string {
  try {
    return rootPackageVersion();
  } catch {
    return 'unknown';
  }
}

/**
 * Run the analysis once on two made-up windows (a sawtooth and a slope), at start-up. Its code is
 * compiled lazily, path by path: cold, a first pass costs 10–50 ms where a warm one costs ~1 ms, and
 * charged to the allowance that debt would hold back a new series' first real rates for a minute.
 */
function warmUpAnalysis(): void {
  const t_s = new Float64Array(120);
  const saw = new Float64Array(120);
  const slope = new Float64Array(120);
  for (let k = 0; k < 120; k++) {
    t_s[k] = k * 6;
    saw[k] = 100 + (k % 20) * 3 + ((k * 7919) % 13) / 13;
    slope[k] = 100 + k / 2 + ((k * 7919) % 13) / 13;
  }
  analyzeSeries({ t_s, mb: saw });
  analyzeSeries({ t_s, mb: slope });
}

/** Validate, bind and start; a bad address or directory fails here, before anything is tracked. */
export async function startExporter(o: ExporterOptions): Promise<Exporter> {
  const textfile = o.textfileDir ? textfilePath(o.textfileDir) : null;
  if (o.textfileDir && textfile) checkTextfileDir(o.textfileDir, textfile);
  const state = new SeriesGroups({ job: o.job, graceMs: o.graceMs });
  const registries = createRegistries(state, { version: packageVersion() });
  const server: MetricsServer | null = o.listen ? await startMetricsServer(o.listen, registries) : null;
  const readEnv = o.readEnv ?? ((pid: number) => readRankEnv(pid));
  // The analysis is paced by a CPU allowance (a token bucket): each second earns budget × 1 s, each
  // analysis spends what it took, so the exporter's average cost stays put however many series there
  // are; with many series each is refreshed less often instead.
  const budget = o.analysisBudget ?? 0.0005;
  warmUpAnalysis();
  let allowance = 0;
  let lastMs = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    allowance = Math.min(allowance + (now - lastMs) * budget, 100);
    lastMs = now;
    if (allowance > 0) allowance -= state.analyse(Date.now(), allowance, o.refreshMs ?? 15_000);
  }, 1000);
  timer.unref();
  let lastWriteMs = 0;
  let writing = false;
  let failedOnce = false;
  const writeFile = () => {
    if (!textfile || writing) return;
    writing = true;
    registries.text.metrics().then(
      (body) => {
        writing = false;
        try {
          writeTextfile(textfile, body);
        } catch (e) {
          if (!failedOnce) o.notice(`${(e as Error).message}; still tracking, will keep trying`);
          failedOnce = true;
        }
      },
      () => (writing = false),
    );
  };
  return {
    address: server?.address ?? null,
    url: server ? `http://${server.address.host.includes(':') ? `[${server.address.host}]` : server.address.host}:${server.address.port}/metrics` : null,
    textfile,
    registries,
    tick(rows) {
      for (const r of rows) if (!state.has(r.process)) state.join(r.process, readEnv(r.process.pid));
      const nowMs = rows[0]?.sample.t_ms ?? Date.now();
      state.tick(nowMs, rows);
      if (textfile && nowMs - lastWriteMs >= 1000) {
        lastWriteMs = nowMs;
        writeFile();
      }
    },
    async close() {
      clearInterval(timer);
      await server?.close();
      if (textfile) removeTextfile(textfile);
    },
  };
}
