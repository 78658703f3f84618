// leak-check: the CI gate. One line per process; exit 1 if any FAILs (INCONCLUSIVE too with --strict).
import { writeFileSync } from 'node:fs';
import type { Command } from '../run.js';
import { strictParser, wantsHelp } from '../parse.js';
import { EXIT_LEAK, EXIT_OK, usageError } from '../../errors.js';
import { defaultDbPath } from '../../store/open-db.js';
import { loadSessions, type InputArgs } from './report-input.js';
import { buildSessionReport } from '../../report/session-report.js';
import { describeCheck } from '../../report/verdict-words.js';
import { describeShortLived } from '../../report/tree-words.js';
import { renderJunit, type JunitCase } from '../../report/junit.js';
import { parseRate } from '../../units.js';

export const CHECK_USAGE = `Usage:
  leak-check [--db FILE | --trace FILE.csv] [--session ID|latest] --max-rate 50 [--junit FILE.xml] [--strict]

FAIL when a process is growing and the lower bound of its rate's 95 % interval is above the bound;
PASS when the upper bound is below it or the process is not growing; otherwise INCONCLUSIVE, with
how much longer to record. Exit 1 on any FAIL (and on INCONCLUSIVE with --strict), else 0.
The bound accepts 50 (MB/min), 50MB/min, 3GB/h.`;

export interface CheckArgs extends InputArgs {
  maxRate: number;
  junit: string | null;
  strict: boolean;
  json: boolean;
}

/** Parse leak-check's argv (throws LeakError). */
export function parseCheckArgs(argv: string[], env: NodeJS.ProcessEnv): CheckArgs {
  const a = strictParser(argv, 'leak-check')
    .parserConfiguration({ 'parse-numbers': false })
    .option('db', { type: 'string' })
    .option('trace', { type: 'string' })
    .option('session', { type: 'string' })
    .option('max-rate', { type: 'string' })
    .option('junit', { type: 'string' })
    .option('strict', { type: 'boolean', default: false })
    .option('json', { type: 'boolean', default: false })
    .parseSync();
  if (a._.length > 0) throw usageError(`unexpected argument \`${a._[0]}\`; see leak-check --help`);
  if (a['max-rate'] === undefined) throw usageError('--max-rate is required, e.g. --max-rate 50 (MB/min) or 3GB/h');
  if (a.session === 'all') throw usageError('leak-check checks one session: pass --session ID or latest');
  if (a.trace !== undefined && a.db !== undefined) throw usageError('give either --db or --trace, not both');
  return {
    db: a.db ?? defaultDbPath(env),
    trace: a.trace ?? null,
    session: a.session,
    maxRate: parseRate(a['max-rate']),
    junit: a.junit ?? null,
    strict: Boolean(a.strict),
    json: Boolean(a.json),
  };
}

/** The leak-check command. */
export const checkCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(`${CHECK_USAGE}\n`);
    return EXIT_OK;
  }
  const args = parseCheckArgs(argv, io.env);
  const [session] = loadSessions(args);
  const { report, rows } = buildSessionReport(session!, { maxRate: args.maxRate });
  const cases: JunitCase[] = [];
  for (const row of rows) {
    const check = row.check!;
    const line = describeCheck(row.report, check, args.maxRate);
    const failed = check.verdict === 'fail' || (args.strict && check.verdict === 'inconclusive');
    cases.push({ row: row.report, line, failed, skipped: check.verdict === 'inconclusive' && !args.strict });
    if (!args.json) io.stdout.write(`${line}\n`);
    if (check.verdict === 'fail' && io.env.GITHUB_ACTIONS === 'true') {
      io.stdout.write(`::error title=leak-check::${line.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
    }
  }
  if (report.short_lived && !args.json) io.stdout.write(`${describeShortLived(report.short_lived)}\n`);
  if (args.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  if (args.junit) {
    const longest = Math.max(0, ...rows.map((r) => r.report.duration_s));
    writeFileSync(args.junit, renderJunit(`leak-check --max-rate ${args.maxRate}`, cases, longest));
  }
  return cases.some((c) => c.failed) ? EXIT_LEAK : EXIT_OK;
};
