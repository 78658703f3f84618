// What the tracker benches share: the fixtures they start (killed when the bench exits, however it
// ends) and the CPU a process has used, read from /proc/PID/stat.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The python3 on the PATH, by its real executable (what the tracker sees as the target's exe). */
export const PY = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kids: ChildProcess[] = [];
process.on('exit', () => kids.forEach((k) => k.kill('SIGKILL')));

/** Start a fixture with no stdio; it is killed when the bench exits. */
export function start(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: 'ignore' });
  kids.push(c);
  return c;
}

/** utime + stime of a process, seconds (null once it is gone). */
export function cpuSeconds(pid: number): number | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}
