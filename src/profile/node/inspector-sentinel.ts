// A sentinel for the moment between SIGUSR1 and the dead-man's switch. From the signal until the
// switch is armed in the target (finding the port, /json/list, the WebSocket, one evaluate: ~0.1–0.3 s,
// seconds on a loaded box), a `kill -9` of leak-profile would leave the target's inspector open for
// good: nothing in the target would ever close it. So before the signal leak-profile starts a small
// detached process that holds the read end of a pipe. leak-profile writes to it once the switch is
// armed (or nothing of ours is left open); if the pipe ends without that word, leak-profile died in the
// window, and the sentinel closes whatever inspector the target opened since (inspector-sentinel-main.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { LeakError } from '../../errors.js';
import { compiledModule } from '../../package-root.js';

export interface Sentinel {
  /** The window is closed (switch armed, or nothing of ours left open): the sentinel exits, doing nothing. */
  release(): void;
}

const READY_MS = 10_000;

/**
 * Start the sentinel for `pid` (identified with its start time against PID reuse); `before` are the
 * ports the target already listened on, which are not ours to close. Resolves once it is watching.
 */
export function startSentinel(pid: number, startTicks: number, before: number[]): Promise<Sentinel> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    const fail = (why: string) => {
      child?.kill('SIGKILL');
      reject(new LeakError('unsupported', `could not start the sentinel that closes the inspector if leak-profile is killed (${why}); PID ${pid} was not signalled`));
    };
    try {
      // Its own session (a kill of our process group does not take it along); our environment (a
      // node that needs LD_LIBRARY_PATH still starts) without NODE_OPTIONS: a user's --inspect there
      // would open an inspector in the sentinel itself.
      const { NODE_OPTIONS: _, ...env } = process.env;
      child = spawn(process.execPath, [compiledModule('profile/node/inspector-sentinel-main.js'), String(pid), String(startTicks), before.join(',')], {
        detached: true,
        stdio: ['pipe', 'pipe', 'ignore'],
        env,
      });
    } catch (e) {
      fail((e as Error).message);
      return;
    }
    const timer = setTimeout(() => fail(`no word from it in ${READY_MS / 1000} s`), READY_MS);
    child.once('error', (e) => (clearTimeout(timer), fail(e.message)));
    child.once('exit', (code, sig) => (clearTimeout(timer), fail(`it exited with ${sig ?? code}`)));
    child.stdin!.on('error', () => {}); // it may be gone by the time we release it
    child.stdout!.setEncoding('utf8').once('data', (line: string) => {
      clearTimeout(timer);
      if (!line.startsWith('ready')) return fail(`it said ${JSON.stringify(line.trim())}`);
      child.removeAllListeners('exit');
      child.stdout!.destroy();
      // Neither the child nor its pipe keeps leak-profile's event loop alive.
      child.unref();
      (child.stdin as unknown as { unref(): void }).unref();
      resolve({ release: () => child.stdin!.end('released\n') });
    });
  });
}
