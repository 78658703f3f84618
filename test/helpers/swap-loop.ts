// A hostile neighbour's race at an output path, shared by the safe-files unit test and faults-writers:
// another uid plants a link to a root-only file at the path (atomically, by rename), removes it, and
// again (held 2 ms, gone 0.5 ms), without a fork per round. It prints "swapping" once the first link is in place.
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './procs.js';

const loop = (target: string, dest: string) => `import os, time
first = True
while True:
    try:
        os.symlink(${JSON.stringify(target)}, ${JSON.stringify(`${dest}.n`)})
        os.rename(${JSON.stringify(`${dest}.n`)}, ${JSON.stringify(dest)})
        if first:
            print("swapping", flush=True)
            first = False
        time.sleep(0.002)  # present most of the time, gone now and then: root meets both
        os.unlink(${JSON.stringify(dest)})
        time.sleep(0.0005)
    except OSError:  # root's file is there (sticky: not ours to replace) until root removes it
        try:
            os.unlink(${JSON.stringify(`${dest}.n`)})  # our link the rename refused: left, it would fail every later symlink
        except OSError:
            pass
        time.sleep(0.0005)
`;

/** Start the loop as `uid` (the system python: pyenv's shims live under /root, out of its reach); resolves once it runs. */
export async function startSwapLoop(uid: number, target: string, dest: string): Promise<ChildProcess> {
  const c = spawn('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '/usr/bin/python3', '-c', loop(target, dest)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  c.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  try {
    await waitFor(() => out.includes('swapping') || c.exitCode !== null, 10_000, 'the swapping loop');
  } catch (e) {
    c.kill('SIGKILL');
    throw e;
  }
  if (c.exitCode !== null) throw new Error(`the swapping loop exited (${c.exitCode})`);
  return c;
}
