// leak-report: analyse recorded sessions (or a trace) and print charts + verdicts, or Report JSON.
import type { Command } from '../run.js';
import { strictParser, wantsHelp } from '../parse.js';
import { EXIT_OK, usageError } from '../../errors.js';
import { defaultDbPath } from '../../store/open-db.js';
import { loadSessions, type InputArgs } from './report-input.js';
import { loadPrometheusSession, parsePrometheusArgs, PROMETHEUS_USAGE, withPrometheusFlags, type PrometheusArgs } from './prometheus-input.js';
import { buildSessionReport } from '../../report/session-report.js';
import { renderSessionText } from '../../report/text-report.js';
import type { Metric } from '../../types.js';

const METRICS: readonly Metric[] = ['uss', 'pss', 'rss', 'swap', 'vram'];

export const REPORT_USAGE = `Usage:
  leak-report [--db FILE] [--session ID|latest|all] [--json] [--metric uss|pss|rss|vram]
  leak-report --trace FILE.csv [--json]
  leak-report --prometheus URL --query SELECTOR [--since 6h] [--step 15s] [--unit MiB] [--json]

Per process and per tree total: chart with fitted baseline, first/last/min/max, leak rate with its
95 % interval, and the verdict (growing, cycling, plateau, stable, insufficient-data).
--trace reads our CSV (t_s plus rss_bytes/uss_bytes/...) or psrecord's plain log.
${PROMETHEUS_USAGE}`;

export interface ReportArgs extends InputArgs {
  json: boolean;
  metric: Metric | undefined;
  prometheus: PrometheusArgs | null;
}

/** Parse leak-report's argv (throws LeakError). */
export function parseReportArgs(argv: string[], env: NodeJS.ProcessEnv): ReportArgs {
  const a = withPrometheusFlags(strictParser(argv, 'leak-report'))
    .option('db', { type: 'string' })
    .option('trace', { type: 'string' })
    .option('session', { type: 'string' })
    .option('json', { type: 'boolean', default: false })
    .option('metric', { type: 'string' })
    .parseSync();
  if (a._.length > 0) throw usageError(`unexpected argument \`${a._[0]}\`; see leak-report --help`);
  if (a.metric !== undefined && !METRICS.includes(a.metric as Metric)) {
    throw usageError(`--metric must be one of ${METRICS.join(', ')}, got \`${a.metric}\``);
  }
  if (a.trace !== undefined && a.db !== undefined) throw usageError('give either --db or --trace, not both');
  const prometheus = parsePrometheusArgs(a);
  return { db: a.db ?? defaultDbPath(env), trace: a.trace ?? null, session: a.session, json: Boolean(a.json), metric: a.metric as Metric | undefined, prometheus };
}

/** The leak-report command. */
export const reportCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(`${REPORT_USAGE}\n`);
    return EXIT_OK;
  }
  const args = parseReportArgs(argv, io.env);
  const sessions = args.prometheus ? [await loadPrometheusSession(args.prometheus, (l) => io.stderr.write(`leak-report: ${l}\n`))] : loadSessions(args);
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  sessions.forEach((s, i) => {
    const { report, rows } = buildSessionReport(s, { metric: args.metric });
    if (args.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else io.stdout.write(`${i > 0 ? '\n' : ''}${renderSessionText(report, rows, { width: io.stdout.columns ?? 100, color })}`);
  });
  return EXIT_OK;
};
