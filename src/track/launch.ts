// Launch mode: start the user's command, hand its output through, and know its exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import { notFoundError, permissionError } from '../errors.js';
import type { ProcessSource } from './process-source.js';
import type { Target } from './discover.js';

export interface Launched {
  child: ChildProcess;
  target: Target;
  /** Resolves with the exit code (128 + signal number when killed by a signal). */
  exited: Promise<number>;
  hasExited: () => boolean;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15, SIGABRT: 6 };

/**
 * Spawn the command. `pipeOutput` routes its stdout/stderr through `onOutput` (so the live chart can
 * print it above itself); otherwise it inherits ours (its stdout on our stderr with `stdoutToStderr`).
 */
export async function launchCommand(
  command: string[],
  source: ProcessSource,
  pipeOutput: boolean,
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void,
  opts: { stdoutToStderr?: boolean } = {},
): Promise<Launched> {
  const [file, ...args] = command;
  // With --json our stdout carries the report alone, so the command's stdout joins its stderr.
  const inherited: ('inherit' | number)[] = ['inherit', opts.stdoutToStderr ? 2 : 'inherit', 'inherit'];
  const child = spawn(file!, args, { stdio: pipeOutput ? ['inherit', 'pipe', 'pipe'] : inherited });
  let done = false;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : 1));
    });
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(notFoundError(`cannot launch \`${file}\`: command not found on PATH`, e));
      else if (e.code === 'EACCES') reject(permissionError(`cannot launch \`${file}\`: permission denied`, e));
      else reject(notFoundError(`cannot launch \`${file}\`: ${e.message}`, e));
    });
  });
  if (pipeOutput && onOutput) {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => onOutput(c, 'stdout'));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => onOutput(c, 'stderr'));
  }
  const pid = child.pid!;
  const st = await source.stat(pid);
  return {
    child,
    exited,
    hasExited: () => done,
    target: { pid, startTicks: st?.startTicks ?? 0, name: st?.comm ?? file!, cmdline: command.join(' '), why: `launched ${command.join(' ')} as PID ${pid}` },
  };
}
