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

/**
 * Pure parser for one stat line (exported for tests). Fields are picked by walking the spaces rather
 * than split(): the tree scan parses every process on the box each tick, and split's arrays were the
 * tracker's largest source of garbage after the live analysis.
 */
export function parseProcStat(pid: number, text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // After "comm) ": field 3 (state) starts at close + 2; field N is the (N - 3)-th space-separated token.
  let state = '?', ppid = NaN, utime = NaN, stime = NaN, startTicks = NaN;
  let field = 3;
  let start = close + 2;
  while (field <= 22 && start <= text.length) {
    let end = text.indexOf(' ', start);
    if (end < 0) end = text.length;
    if (field === 3) state = text.slice(start, end);
    else if (field === 4) ppid = toInt(text, start, end);
    else if (field === 14) utime = toInt(text, start, end);
    else if (field === 15) stime = toInt(text, start, end);
    else if (field === 22) startTicks = toInt(text, start, end);
    field++;
    start = end + 1;
  }
  if (!Number.isFinite(ppid) || !Number.isFinite(startTicks)) return null;
  return { pid, comm: text.slice(open + 1, close), state, ppid, cpuTicks: utime + stime, startTicks };
}

/** Decimal digits in text[start, end) as a number; NaN if there are none or anything else. */
function toInt(text: string, start: number, end: number): number {
  if (end <= start) return NaN;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN; // the fields read here are never negative
    n = n * 10 + d;
  }
  return n;
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
