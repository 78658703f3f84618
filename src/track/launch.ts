// Launch mode: start the user's command, hand its output through, and know its exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
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
  checkRunnable(file!);
  // Through setpriv, the command is SIGTERMed by the kernel if leak-track dies without a chance to stop it
  // (kill -9, OOM killer): a launched job is never left running unwatched. setpriv execs it, so the PID
  // is the command's own; the death signal is cleared on fork, so only the launched process gets it.
  const setpriv = source.kind === 'procfs' ? trustedSetpriv() : null;
  const [exe, argv] = setpriv ? [setpriv, ['--pdeathsig', 'SIGTERM', '--', file!, ...args]] : [file!, args];
  const child = spawn(exe, argv, { stdio: pipeOutput ? ['inherit', 'pipe', 'pipe'] : inherited });
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
  const st = setpriv ? await statAfterExec(source, pid) : await source.stat(pid);
  return {
    child,
    exited,
    hasExited: () => done,
    target: { pid, startTicks: st?.startTicks ?? 0, name: st?.comm ?? file!, cmdline: command.join(' '), why: `launched ${command.join(' ')} as PID ${pid}` },
  };
}

/** /usr/bin/setpriv (util-linux) when it is root's, else null: never a binary found on a user's PATH. */
function trustedSetpriv(): string | null {
  for (const p of ['/usr/bin/setpriv', '/bin/setpriv']) {
    try {
      const st = statSync(p);
      if (st.isFile() && st.uid === 0 && (st.mode & 0o022) === 0) return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** The errors a direct spawn gave (not found / not permitted), before setpriv would turn them into its own. */
export function checkRunnable(file: string): void {
  const dirs = file.includes('/') ? [''] : (process.env.PATH ?? '').split(':').filter(Boolean);
  let denied = false;
  for (const d of dirs) {
    const p = d ? path.join(d, file) : file;
    try {
      if (!statSync(p).isFile()) continue;
    } catch {
      continue;
    }
    try {
      accessSync(p, constants.X_OK);
      return;
    } catch {
      denied = true;
    }
  }
  if (denied) throw permissionError(`cannot launch \`${file}\`: permission denied`);
  throw notFoundError(`cannot launch \`${file}\`: command not found on PATH`);
}

/** The process once setpriv has exec'd the command (its name is setpriv's for the first moment). */
async function statAfterExec(source: ProcessSource, pid: number): Promise<Awaited<ReturnType<ProcessSource['stat']>>> {
  const end = Date.now() + 2000;
  for (;;) {
    const st = await source.stat(pid);
    if (!st || st.comm !== 'setpriv' || Date.now() > end) return st;
    await new Promise((r) => setTimeout(r, 5));
  }
}
