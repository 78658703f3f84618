// Talking to scripts/leak_detective_hook.py (targets where ptrace is impossible). Nothing here is
// taken from a path another user could have planted: the hook is recognised by the open file
// descriptor it keeps on its own source (only its user or root can change a process's fds) and by its
// SIGUSR2 handler (SigCgt); the signal is always SIGUSR2; the request is written into a directory only
// leak-profile's own uid can write (/tmp/leak-detective-requests-UID, 0711, owner and mode checked).
import { chmodSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { LeakError, notFoundError, permissionError, usageError } from '../../errors.js';
import { catchesSignal, refuseIfStopped } from '../proc-state.js';
import { writeOwnFile } from './census-channel.js';

const SIGUSR2 = 12;
const HOOK_FILE = '/leak_detective_hook.py';

/** True when `pid` imported the hook: its marker fd on the hook's source is open and SIGUSR2 is caught. */
export function hasHook(pid: number): boolean {
  if (!catchesSignal(pid, SIGUSR2)) return false;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).endsWith(HOOK_FILE)) return true;
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    /* gone or not ours to read */
  }
  return false;
}

/** The request directory of this uid, created 0711 or refused if anyone else could change it. */
export function requestDir(base = '/tmp'): string {
  const uid = process.getuid?.() ?? 0;
  const dir = `${base}/leak-detective-requests-${uid}`;
  try {
    mkdirSync(dir, { mode: 0o711 });
    chmodSync(dir, 0o711);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new LeakError('unsupported', `cannot create ${dir}: ${(e as NodeJS.ErrnoException).code}`);
  }
  const st = lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    const what = st.isSymbolicLink() ? 'a symbolic link' : !st.isDirectory() ? 'not a directory' : st.uid !== uid ? `owned by uid ${st.uid}` : `writable by others (mode ${(st.mode & 0o7777).toString(8)})`;
    // A path refusal, like every other (src/safe-files.ts): exit 2.
    throw usageError(`${dir} is ${what}, so another user may have planted it; leak-profile will not use it: remove it (rm -r ${dir}) and run again`);
  }
  return dir;
}

/** Ask the hook in `pid` for a census: the request names the result file pre-created in a channel. */
export function sendHookRequest(pid: number, args: Record<string, unknown>): void {
  const dir = requestDir();
  // Created anew and renamed into place, in a directory only we can write: nothing there to follow.
  writeOwnFile(dir, `${pid}.json`, JSON.stringify(args), 0o644);
  refuseIfStopped(pid, 'send it SIGUSR2');
  try {
    process.kill(pid, 'SIGUSR2');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw notFoundError(`no process with PID ${pid} (it exited)`);
    throw permissionError(`cannot signal PID ${pid} (${code}); run as its user or as root`, e);
  }
}

/** Remove our request for `pid` (at the end of a profile). */
export function withdrawHookRequest(pid: number): void {
  rmSync(`/tmp/leak-detective-requests-${process.getuid?.() ?? 0}/${pid}.json`, { force: true });
}
