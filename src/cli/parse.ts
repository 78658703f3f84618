// yargs set up to throw instead of printing and exiting, so argv parsing is a pure, testable function.
import yargs, { type Argv } from 'yargs';
import { usageError } from '../errors.js';

/** What --help prints above and below the options yargs lists from their definitions. */
export interface HelpSpec {
  /** Synopsis lines and a short description. */
  usage: string;
  /** [command line, what it does]: two or three. */
  examples: [string, string][];
}

/** The exit codes, the same for every command (DESIGN.md §1). */
export const EXIT_CODES_HELP = `Exit codes: 0 ok · 1 a leak found by a check · 2 usage or bad input · 3 target not found or no
permission · 4 storage failed (disk full, read-only, removed) · 128+N ended by signal N (130 Ctrl-C,
143 SIGTERM, 129 SIGHUP), after saving and printing the summary · 70 a bug (please report it).
Sizes are MiB (MB); rates MB/min; durations 90, 90s, 5m, 2h. --version prints the version;
\`COMMAND completion >> ~/.bashrc\` installs shell completion.`;

/**
 * A yargs instance that throws a usage LeakError on any parse failure and never exits. Every option
 * carries its description and default, so --help (renderHelp) and shell completion come from the same
 * definitions the parser uses and cannot drift from them.
 */
export function strictParser(argv: string[], scriptName: string, help?: HelpSpec): Argv {
  const y = yargs(argv)
    .scriptName(scriptName)
    .exitProcess(false)
    .strictOptions()
    .parserConfiguration({ 'populate--': true, 'unknown-options-as-args': false })
    .option('verbose', { type: 'boolean', describe: 'show stack traces for errors', default: false })
    .help(false)
    .version(false)
    .completion('completion', false)
    .wrap(100)
    .fail((msg, err) => {
      if (err) throw err;
      throw usageError(`${msg}; run \`${scriptName} --help\` for usage`);
    });
  if (help) {
    USAGE.set(y, help.usage);
    EXAMPLES.set(y, help.examples);
  }
  return y;
}

/** The examples of each parser: rendered by renderHelp, not yargs, which wraps a long command mid-word. */
const EXAMPLES = new WeakMap<Argv, [string, string][]>();
/** The usage text of each parser, printed as written: yargs' usage() strips its indentation and re-wraps it. */
const USAGE = new WeakMap<Argv, string>();

/**
 * The --help text of a parser built by strictParser: yargs' usage and options, then the examples, each
 * command whole on its own line (to be copied as it is) with what it does indented under it, then the
 * exit codes.
 */
export function renderHelp(y: Argv): string {
  let out = '';
  y.showHelp((s: string) => (out = s));
  const usage = USAGE.get(y);
  if (usage !== undefined) out = `${usage}\n\n${out}`;
  const examples = EXAMPLES.get(y) ?? [];
  if (examples.length === 0) return `${out}\n`;
  const lines = examples.map(([cmd, what]) => `  ${cmd}\n      ${what}`).join('\n');
  return `${out}\n\nExamples:\n${lines}\n\n${EXIT_CODES_HELP}\n`;
}

/** `completion` (print the bash/zsh script) or `--get-yargs-completions` (the script asking): yargs answers. */
export function wantsCompletion(argv: string[]): boolean {
  return argv[0] === 'completion' || argv.includes('--get-yargs-completions');
}

/** True when argv asks for help; commands print their usage text and exit 0. */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  const own = end < 0 ? argv : argv.slice(0, end); // `-- python train.py -h` is the command's flag
  return own.includes('--help') || own.includes('-h');
}
