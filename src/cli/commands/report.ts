// leak-report: analyse recorded sessions (or a trace) and print charts + verdicts, or Report JSON.
import type { Command } from '../run.js';
import { strictParser, wantsHelp } from '../parse.js';
import { EXIT_OK, usageError } from '../../errors.js';
import { defaultDbPath } from '../../store/open-db.js';
import { loadSessions, type InputArgs } from './report-input.js';
import { analyseAndCompose } from '../../report/compose-session.js';
import { renderSessionText } from '../../report/text-report.js';
import { renderSessionJson } from '../../report/json-report.js';
import { renderSessionHtml } from '../../report/html/session-html.js';
import { checkHtmlPath, writeHtmlFile } from '../../report/html/write-html.js';
import type { Metric } from '../../types.js';
import { terminalWidth } from '../terminal-width.js';

const METRICS: readonly Metric[] = ['uss', 'pss', 'rss', 'swap', 'vram'];

export const REPORT_USAGE = `Usage:
  leak-report [--db FILE] [--session ID|latest|all] [--json] [--html FILE] [--metric uss|pss|rss|vram] [--quiet]
  leak-report --trace FILE.csv [--json] [--html FILE]

The session's verdict in words, a worst-first table of every process (class, rate with its 95 %
interval, first/last/peak), then per growing/cycling process a chart with time axis and fitted
baseline; stable processes one line each, short-lived children folded into one line.
  --html FILE   also write a self-contained HTML report (zoomable charts; opens offline)
  --quiet       print nothing but errors (the exit code still says it)
--trace reads our CSV (t_s plus rss_bytes/uss_bytes/...) or psrecord's plain log.`;

export interface ReportArgs extends InputArgs {
  json: boolean;
  metric: Metric | undefined;
  html: string | null;
  quiet: boolean;
}

/** Parse leak-report's argv (throws LeakError). */
export function parseReportArgs(argv: string[], env: NodeJS.ProcessEnv): ReportArgs {
  const a = strictParser(argv, 'leak-report')
    .option('db', { type: 'string' })
    .option('trace', { type: 'string' })
    .option('session', { type: 'string' })
    .option('json', { type: 'boolean', default: false })
    .option('metric', { type: 'string' })
    .option('html', { type: 'string' })
    .option('quiet', { type: 'boolean', default: false })
    .parseSync();
  if (a._.length > 0) throw usageError(`unexpected argument \`${a._[0]}\`; see leak-report --help`);
  if (a.metric !== undefined && !METRICS.includes(a.metric as Metric)) {
    throw usageError(`--metric must be one of ${METRICS.join(', ')}, got \`${a.metric}\``);
  }
  if (a.trace !== undefined && a.db !== undefined) throw usageError('give either --db or --trace, not both');
  if (a.html !== undefined && a.html.trim() === '') throw usageError('--html needs a file name, e.g. --html report.html');
  if (a.html !== undefined && a.session === 'all') throw usageError('--html writes one session; pass --session ID or latest');
  return {
    db: a.db ?? defaultDbPath(env), trace: a.trace ?? null, session: a.session, json: Boolean(a.json), metric: a.metric as Metric | undefined,
    html: a.html ?? null, quiet: Boolean(a.quiet),
  };
}

/** The leak-report command. */
export const reportCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(`${REPORT_USAGE}\n`);
    return EXIT_OK;
  }
  const args = parseReportArgs(argv, io.env);
  if (args.html) checkHtmlPath(args.html);
  const sessions = loadSessions(args);
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  sessions.forEach((s, i) => {
    const composed = analyseAndCompose(s, { metric: args.metric });
    if (args.json) io.stdout.write(renderSessionJson(composed));
    else if (!args.quiet) io.stdout.write(`${i > 0 ? '\n' : ''}${renderSessionText(composed, { width: terminalWidth(io.stdout, io.env), color })}`);
    if (args.html) writeHtmlFile(args.html, renderSessionHtml(composed));
  });
  return EXIT_OK;
};
