// The one error boundary for every binary: a LeakError becomes "leak-x: message" on stderr and its
// exit code; anything else is a bug and says so. Stack traces only with --verbose.
import { isLeakError, EXIT_CODES } from '../errors.js';
import { escapeControl, escapeControlKeepNewlines } from '../text/escape.js';
import { packageVersion, wantsVersion } from './version.js';
import { wantsCompletion } from './parse.js';
import type { Argv } from 'yargs';

/** What a command needs from the outside world; tests may pass their own streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

/** A command: parse argv (throws LeakError on bad input), then run and return the exit code. */
export type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Run a command as a process: print errors once, set the exit code, never print a stack unless asked. */
export async function runCli(bin: string, command: Command, parser: (argv: string[]) => Argv, argv = process.argv.slice(2)): Promise<void> {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  const verbose = argv.includes('--verbose') || process.env.LEAK_DETECTIVE_VERBOSE === '1';
  // A closed pipe (`leak-report | head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  let code: number;
  try {
    if (wantsCompletion(argv)) {
      parser(argv).parseSync(); // yargs prints the script or the candidates itself
      process.exitCode = 0;
      return;
    }
    if (wantsVersion(argv)) {
      io.stdout.write(`${bin} ${packageVersion()}\n`);
      process.exitCode = 0;
      return;
    }
    code = await command(argv, io);
  } catch (e) {
    code = reportError(bin, e, verbose, io);
  }
  process.exitCode = code;
}

/** Print one line for an error and return the exit code it maps to. */
export function reportError(bin: string, e: unknown, verbose: boolean, io: Pick<CliIo, 'stderr'>): number {
  if (isLeakError(e)) {
    // Messages quote input (a trace line, a name, a server's reply): escaped, and so one line.
    io.stderr.write(`${bin}: ${escapeControl(e.message)}\n`);
    if (verbose) io.stderr.write(`${escapeControlKeepNewlines(formatStack(e))}\n`);
    return e.exitCode;
  }
  const message = escapeControl(e instanceof Error ? e.message : String(e));
  io.stderr.write(`${bin}: internal error: ${message} (this is a bug; rerun with --verbose and report it)\n`);
  if (verbose) io.stderr.write(`${escapeControlKeepNewlines(formatStack(e))}\n`);
  return EXIT_CODES.internal;
}

function formatStack(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  while (cur instanceof Error) {
    parts.push(cur.stack ?? String(cur));
    cur = cur.cause;
    if (cur) parts.push('caused by:');
  }
  return parts.join('\n');
}
