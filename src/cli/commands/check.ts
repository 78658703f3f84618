// leak-check: the CI gate. One line per process; exit 1 if any FAILs (INCONCLUSIVE too with --strict).
import { checkOutputPath, writeFileAtomically } from '../../safe-files.js';
import type { Command } from '../run.js';
import { escapeControl } from '../../text/escape.js';
import { renderHelp, strictParser, wantsHelp } from '../parse.js';
import { EXIT_LEAK, EXIT_OK, usageError } from '../../errors.js';
import { defaultDbPath } from '../../store/open-db.js';
import { loadSessions, requireMetricRead, METRIC_OPTION, parseMetric, type InputArgs } from './report-input.js';
import type { Metric } from '../../types.js';
import { parsePrometheusArgs, withPrometheusFlags, type PrometheusArgs } from './prometheus-input.js';
import { fleetCommand } from './fleet-output.js';
import { buildSessionReport } from '../../report/session-report.js';
import { describeCheck } from '../../report/verdict-words.js';
import { describeShortLived } from '../../report/tree-words.js';
import { renderJunit, type JunitCase } from '../../report/junit.js';
import { formatBound, parseRate } from '../../units.js';
import { explainEntries } from '../../report/explain-words.js';
import { sessionStartMs, withInside } from '../../report/compose-session.js';

const CHECK_HELP = {
  usage: `Usage:
  leak-check [--db FILE | --trace FILE.csv] [--session ID|latest] --max-rate 50 [--metric rss]
    [--junit FILE.xml] [--strict] [--quiet]
  leak-check --prometheus URL --query SELECTOR [--since 6h] --max-rate 50

FAIL when a process is growing and the lower bound of its rate's 95 % interval is above the bound;
PASS when the upper bound is below it or the process is not growing; otherwise INCONCLUSIVE, with
how much longer to record. Exit 1 on any FAIL (and on INCONCLUSIVE with --strict), else 0.
The bound accepts 50 (MB/min), 50MB/min, 3GB/h. --prometheus URL --query SELECTOR gates every series
the selector matches in a Prometheus. --quiet prints nothing but errors: the exit code says it.`,
  examples: [
    ['leak-check --max-rate 50', 'gate the latest session of ./leak-track.db at 50 MB/min'],
    ['leak-check --db runs.db --max-rate 3GB/h --junit leak.xml --strict', 'CI: JUnit file, INCONCLUSIVE fails too'],
    ['leak-check --trace run.csv --max-rate 50', 'gate a trace CSV or psrecord log'],
  ] as [string, string][],
};

/** leak-check's options, with their descriptions and defaults (what --help and completion show). */
export function checkParser(argv: string[]) {
  return withPrometheusFlags(strictParser(argv, 'leak-check', CHECK_HELP))
    .parserConfiguration({ 'parse-numbers': false })
    .option('db', { type: 'string', describe: 'the leak-track SQLite file', defaultDescription: './leak-track.db or $LEAK_TRACK_DB' })
    .option('trace', { type: 'string', describe: 'gate a trace CSV or a psrecord log instead of a DB' })
    .option('session', { type: 'string', describe: 'a session id or latest', defaultDescription: 'latest' })
    .option('max-rate', { type: 'string', describe: 'the bound (required): 50 (MB/min), 50MB/min, 3GB/h' })
    .option('metric', METRIC_OPTION)
    .option('junit', { type: 'string', describe: 'also write a JUnit XML file (one test case per process)' })
    .option('strict', { type: 'boolean', default: false, describe: 'INCONCLUSIVE fails too (exit 1)' })
    .option('json', { type: 'boolean', default: false, describe: 'print Report JSON with verdicts on stdout instead of lines' })
    .option('explain', { type: 'boolean', default: false, describe: 'name what holds the growth in each FAIL line (from the profile leak-track --explain stored)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors (the exit code still says it)' });
}

export interface CheckArgs extends InputArgs {
  maxRate: number;
  metric: Metric | undefined;
  junit: string | null;
  strict: boolean;
  json: boolean;
  prometheus: PrometheusArgs | null;
  quiet: boolean;
  explain: boolean;
}

/** Parse leak-check's argv (throws LeakError). */
export function parseCheckArgs(argv: string[], env: NodeJS.ProcessEnv): CheckArgs {
  const a = checkParser(argv).parseSync();
  if (a._.length > 0) throw usageError(`unexpected argument \`${a._[0]}\`; see leak-check --help`);
  if (a['max-rate'] === undefined) throw usageError('--max-rate is required, e.g. --max-rate 50 (MB/min) or 3GB/h');
  if (a.session === 'all') throw usageError('leak-check checks one session: pass --session ID or latest');
  if (a.trace !== undefined && a.db !== undefined) throw usageError('give either --db or --trace, not both');
  return {
    db: a.db ?? defaultDbPath(env),
    trace: a.trace ?? null,
    session: a.session,
    maxRate: parseRate(a['max-rate']),
    metric: parseMetric(a.metric),
    // Checked before any work: a missing directory or a planted file must not surface after the verdict.
    junit: a.junit !== undefined ? checkOutputPath(a.junit, '--junit') : null,
    strict: Boolean(a.strict),
    json: Boolean(a.json),
    prometheus: parsePrometheusArgs(a),
    quiet: Boolean(a.quiet),
    explain: Boolean(a.explain),
  };
}

/** The leak-check command. */
export const checkCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(renderHelp(checkParser([])));
    return EXIT_OK;
  }
  const args = parseCheckArgs(argv, io.env);
  if (args.prometheus) {
    const junit = args.junit;
    return fleetCommand(args.prometheus, {
      bin: 'leak-check', json: args.json, quiet: args.quiet, html: null, maxRate: args.maxRate, strict: args.strict,
      junit: junit ? (judged) => {
        const cases: JunitCase[] = judged.map((j) => {
          const failed = j.report.verdict === 'fail' || (args.strict && j.report.verdict === 'inconclusive');
          return { row: j.report, line: j.checkText ?? '', failed, skipped: j.report.verdict === 'inconclusive' && !args.strict };
        });
        writeFileAtomically(junit, renderJunit(`leak-check --max-rate ${formatBound(args.maxRate)}`, cases, Math.max(0, ...judged.map((j) => j.report.duration_s))), '--junit', 0o644);
      } : undefined,
    }, io);
  }
  const sessions = loadSessions(args, (m) => !args.quiet && io.stderr.write(`leak-check: ${escapeControl(m)}\n`));
  requireMetricRead(sessions, args.metric, args);
  const [session] = sessions;
  const { report, rows } = buildSessionReport(session!, { maxRate: args.maxRate, metric: args.metric });
  if (args.explain) {
    if (session!.profiles?.length) report.explain = explainEntries(session!, rows.map((r) => r.report), sessionStartMs(session!));
    else if (!args.quiet) io.stderr.write(`leak-check: --explain: session ${session!.info.id} holds no profile; record it with leak-track --explain to have FAIL lines name what holds the growth\n`);
  }
  const cases: JunitCase[] = [];
  for (const row of rows) {
    const check = row.check!;
    const line = withInside(escapeControl(describeCheck(row.report, check, args.maxRate)), row, report); // names are the target's text
    const failed = check.verdict === 'fail' || (args.strict && check.verdict === 'inconclusive');
    cases.push({ row: row.report, line, failed, skipped: check.verdict === 'inconclusive' && !args.strict });
    if (!args.json && !args.quiet) io.stdout.write(`${line}\n`);
    if (check.verdict === 'fail' && io.env.GITHUB_ACTIONS === 'true' && !args.quiet) {
      io.stdout.write(`::error title=leak-check::${line.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
    }
  }
  if (report.short_lived && !args.json && !args.quiet) io.stdout.write(`${describeShortLived(report.short_lived)}\n`);
  if (args.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  if (args.junit) {
    const longest = Math.max(0, ...rows.map((r) => r.report.duration_s));
    writeFileAtomically(args.junit, renderJunit(`leak-check --max-rate ${formatBound(args.maxRate)}`, cases, longest), '--junit', 0o644);
  }
  return cases.some((c) => c.failed) ? EXIT_LEAK : EXIT_OK;
};
