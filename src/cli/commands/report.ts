// leak-report: analyse recorded sessions (or a trace) and print charts + verdicts, or Report JSON.
import type { Command } from '../run.js';
import { renderHelp, strictParser, wantsHelp } from '../parse.js';
import { EXIT_OK, usageError } from '../../errors.js';
import { defaultDbPath } from '../../store/open-db.js';
import { requireMetricRead, loadSessions, METRIC_OPTION, parseMetric, type InputArgs } from './report-input.js';
import { parsePrometheusArgs, withPrometheusFlags, type PrometheusArgs } from './prometheus-input.js';
import { fleetCommand } from './fleet-output.js';
import { analyseAndCompose } from '../../report/compose-session.js';
import { renderSessionText } from '../../report/text-report.js';
import { renderSessionJson } from '../../report/json-report.js';
import { renderSessionHtml } from '../../report/html/session-html.js';
import { checkHtmlPath, writeHtmlFile } from '../../report/html/write-html.js';
import type { Metric } from '../../types.js';
import { terminalWidth } from '../terminal-width.js';
import { escapeControl } from '../../text/escape.js';


const REPORT_HELP = {
  usage: `Usage:
  leak-report [--db FILE] [--session ID|latest|all] [--json] [--html FILE]
    [--metric uss|pss|rss|vram] [--quiet]
  leak-report --trace FILE.csv [--json] [--html FILE]
  leak-report --prometheus URL --query SELECTOR [--since 6h] [--until TIME] [--step 15s]
    [--unit MiB] [--timeout 10m] [--json] [--html FILE]

The session's verdict in words, a worst-first table of every process (class, rate with its 95 %
interval, first/last/peak), then per growing/cycling process a chart with time axis and fitted
baseline; stable processes one line each, short-lived children folded into one line.
--trace reads our CSV (t_s plus rss_bytes/uss_bytes/...) or psrecord's plain log; --prometheus reads
every series a selector matches from a Prometheus-API server (Prometheus, VictoriaMetrics, Thanos,
Mimir): a summary (series per class, the growing ones by job and node) then one row per series;
--json streams one line per series as it is judged, then a {"fleet": …} summary line (see
docs/fleet.md).`,
  examples: [
    ['leak-report', 'the latest session in ./leak-track.db'],
    ['leak-report --db runs.db --session all --json', 'one Report JSON per session, one per line'],
    ['leak-report --trace run.csv --metric rss', 'a trace CSV or a psrecord log, judged on RSS'],
    ["leak-report --prometheus http://prom:9090 --query 'leak_detective_process_memory_bytes{type=\"uss\",role=\"main\"}' --since 6h", 'every rank of a job, from Prometheus'],
  ] as [string, string][],
};

/** leak-report's options, with their descriptions and defaults (what --help and completion show). */
export function reportParser(argv: string[]) {
  return withPrometheusFlags(strictParser(argv, 'leak-report', REPORT_HELP))
    .option('db', { type: 'string', describe: 'the leak-track SQLite file', defaultDescription: './leak-track.db or $LEAK_TRACK_DB' })
    .option('trace', { type: 'string', describe: 'read a trace CSV or a psrecord log instead of a DB' })
    .option('session', { type: 'string', describe: 'a session id, latest or all', defaultDescription: 'latest' })
    .option('json', { type: 'boolean', default: false, describe: 'print Report JSON on stdout (one line per session)' })
    .option('metric', METRIC_OPTION)
    .option('html', { type: 'string', describe: 'also write a self-contained HTML report (zoomable charts; opens offline)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors (the exit code still says it)' });
}

export interface ReportArgs extends InputArgs {
  json: boolean;
  metric: Metric | undefined;
  prometheus: PrometheusArgs | null;
  html: string | null;
  quiet: boolean;
}

/** Parse leak-report's argv (throws LeakError). */
export function parseReportArgs(argv: string[], env: NodeJS.ProcessEnv): ReportArgs {
  const a = reportParser(argv).parseSync();
  if (a._.length > 0) throw usageError(`unexpected argument \`${a._[0]}\`; see leak-report --help`);
  const metric = parseMetric(a.metric);
  if (a.trace !== undefined && a.db !== undefined) throw usageError('give either --db or --trace, not both');
  if (a.html !== undefined && a.html.trim() === '') throw usageError('--html needs a file name, e.g. --html report.html');
  if (a.html !== undefined && a.session === 'all') throw usageError('--html writes one session; pass --session ID or latest');
  const prometheus = parsePrometheusArgs(a);
  return {
    db: a.db ?? defaultDbPath(env), trace: a.trace ?? null, session: a.session, json: Boolean(a.json), metric,
    html: a.html ?? null, quiet: Boolean(a.quiet), prometheus,
  };
}

/** The leak-report command. */
export const reportCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(renderHelp(reportParser([])));
    return EXIT_OK;
  }
  const args = parseReportArgs(argv, io.env);
  if (args.html) checkHtmlPath(args.html);
  if (args.prometheus) return fleetCommand(args.prometheus, { bin: 'leak-report', json: args.json, quiet: args.quiet, html: args.html, maxRate: null }, io);
  const sessions = loadSessions(args, (m) => !args.quiet && io.stderr.write(`leak-report: ${escapeControl(m)}\n`));
  requireMetricRead(sessions, args.metric, args);
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  sessions.forEach((s, i) => {
    const composed = analyseAndCompose(s, { metric: args.metric });
    if (args.json) io.stdout.write(renderSessionJson(composed));
    else if (!args.quiet) io.stdout.write(`${i > 0 ? '\n' : ''}${renderSessionText(composed, { width: terminalWidth(io.stdout, io.env), color })}`);
    if (args.html) writeHtmlFile(args.html, renderSessionHtml(composed));
  });
  return EXIT_OK;
};
