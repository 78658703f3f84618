// yargs set up to throw instead of printing and exiting, so argv parsing is a pure, testable function.
import yargs, { type Argv } from 'yargs';
import { usageError } from '../errors.js';

/** A yargs instance that throws a usage LeakError on any parse failure and never exits. */
export function strictParser(argv: string[], scriptName: string): Argv {
  return yargs(argv)
    .scriptName(scriptName)
    .exitProcess(false)
    .strictOptions()
    .parserConfiguration({ 'populate--': true, 'unknown-options-as-args': false })
    .option('verbose', { type: 'boolean', describe: 'show stack traces for errors', default: false })
    .help(false)
    .version(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw usageError(`${msg}; run \`${scriptName} --help\` for usage`);
    });
}

/** True when argv asks for help; commands print their usage text and exit 0. */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  const own = end < 0 ? argv : argv.slice(0, end); // `-- python train.py -h` is the command's flag
  return own.includes('--help') || own.includes('-h');
}
