// Cheap per-process facts from /proc/PID/stat, statm and cmdline (a few µs each).
import { readdirSync } from 'node:fs';
import { readProcFile } from './read-proc-file.js';
import { execFileSync } from 'node:child_process';

/** USER_HZ: the unit of utime/stime and starttime; 100 on every mainstream Linux ABI. */
export const CLK_TCK = 100;

/** Page size for statm, read once (getconf), 4096 where that fails. */
export const PAGE_SIZE: number = (() => {
  try {
    const n = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return n > 0 ? n : 4096;
  } catch {
    return 4096;
  }
})();

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  cpuTicks: number; // utime + stime
  startTicks: number; // since boot: with pid, identifies a process across PID reuse
}

/** Parse /proc/PID/stat; null if the process is gone. comm may hold spaces and parentheses. */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readProcFile(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  return parseProcStat(pid, text);
}

/** Pure parser for one stat line (exported for tests). */
export function parseProcStat(pid: number, text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const state = rest[0] ?? '?';
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const startTicks = Number(rest[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(startTicks)) return null;
  return { pid, comm: text.slice(open + 1, close), state, ppid, cpuTicks: utime + stime, startTicks };
}

/** Resident set size in bytes from /proc/PID/statm; null if gone. */
export function readRssBytes(pid: number): number | null {
  try {
    const text = readProcFile(`/proc/${pid}/statm`);
    const pages = Number(text.split(' ')[1]);
    return Number.isFinite(pages) ? pages * PAGE_SIZE : null;
  } catch {
    return null;
  }
}

/** The full command line, NULs as spaces; '' for kernel threads or when unreadable. */
export function readCmdline(pid: number): string {
  try {
    return Buffer.from(readProcFile(`/proc/${pid}/cmdline`), 'latin1').toString('utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** All numeric entries of /proc. */
export function listPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

/** True if /proc/PID exists with the same start time (i.e. it is still the same process). */
export function isSameProcessAlive(pid: number, startTicks: number): boolean {
  const st = readProcStat(pid);
  return st !== null && st.startTicks === startTicks && st.state !== 'Z' && st.state !== 'X';
}
