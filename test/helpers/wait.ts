// Waiting for the condition a test needs (a line printed, a file present, N readings in the DB, a
// process state) instead of a fixed sleep: fast on an idle box, and still right on a loaded one.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { readSmapsRollup } from '../../src/track/smaps-rollup.js';

export interface WaitOptions {
  /** Give up after this long (generous: the box may be loaded). */
  timeoutMs?: number;
  /** Polling period. */
  everyMs?: number;
}

/**
 * Poll `fn` until it returns a truthy value (returned) or the time runs out: then throw, saying what
 * was awaited and, where `fn` can tell, what it saw last.
 */
export async function waitUntil<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, o: WaitOptions = {}): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, o.everyMs ?? 25));
  }
}

/** Everything a stream has printed so far, kept from the moment this is called. */
export function follow(stream: Readable | null | undefined): { text: () => string } {
  let text = '';
  stream?.setEncoding('utf8').on('data', (c: string) => (text += c));
  return { text: () => text };
}

/** Wait until `followed` has printed a line matching `re`; returns the match. */
export function waitForOutput(followed: { text: () => string }, re: RegExp, o: WaitOptions = {}): Promise<RegExpMatchArray> {
  return waitUntil(`output matching ${re} (so far: ${JSON.stringify(followed.text().slice(-300))})`, () => followed.text().match(re), o);
}

/** Wait until a file exists. */
export function waitForFile(file: string, o: WaitOptions = {}): Promise<true> {
  return waitUntil(`${file} to exist`, () => existsSync(file), o);
}

const SIGNUMS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15 };

/** True when the process has a handler for `sig` (SigCgt in /proc/PID/status): its runtime set one up. */
export function catchesSignal(pid: number, sig: keyof typeof SIGNUMS): boolean {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^SigCgt:\s*([0-9a-f]+)$/m);
    return m !== null && (BigInt(`0x${m[1]}`) & (1n << BigInt(SIGNUMS[sig]! - 1))) !== 0n;
  } catch {
    return false;
  }
}

/** True when `sig` waits in the process's shared pending set (ShdPnd): a stopped process keeps what it is sent there. */
export function signalPending(pid: number, sig: keyof typeof SIGNUMS): boolean {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^ShdPnd:\s*([0-9a-f]+)$/m);
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << BigInt(SIGNUMS[sig]! - 1))) !== 0n;
}

/** Bytes in the file the process has open whose path matches `re` (an unlinked temp file too), 0 when none. */
export function openFileBytes(pid: number, re: RegExp): number {
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (re.test(readlinkSync(`/proc/${pid}/fd/${fd}`))) return statSync(`/proc/${pid}/fd/${fd}`).size;
      } catch { /* closed meanwhile */ }
    }
  } catch { /* gone */ }
  return 0;
}

/** Wait until the process catches `sig` (a Node process: its inspector's SIGUSR1 handler is set up at start). */
export function waitForSignalHandler(pid: number, sig: keyof typeof SIGNUMS, o: WaitOptions = {}): Promise<true> {
  return waitUntil(`PID ${pid} to catch ${sig}`, () => catchesSignal(pid, sig), o);
}

/** The process's state letter from /proc/PID/stat (R, S, T, Z…), or null when it is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** The samples committed to a leak-track DB so far (0 while it does not exist yet). */
export function samplesInDb(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    const h = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return (h.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n;
    } finally {
      h.close();
    }
  } catch {
    return 0; // created but not initialised yet, or locked for a moment
  }
}

/** Wait until a leak-track DB holds at least `n` samples. */
export function waitForSamples(db: string, n: number, o: WaitOptions = {}): Promise<true> {
  return waitUntil(`${n} samples in ${db} (have ${samplesInDb(db)})`, () => samplesInDb(db) >= n, o);
}

/** A process's resident memory in MiB from /proc/PID/status (VmRSS), or null when it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s*(\d+) kB$/m);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** A process's USS in MiB as leak-track reads it (smaps_rollup), or null when it cannot be read. */
export function ussMb(pid: number): number | null {
  const r = readSmapsRollup(pid);
  return r.ok ? r.reading.uss / 1048576 : null;
}

/**
 * Wait until a process's RSS has grown by `mb` over its size at the first reading taken after
 * `ready` (default: at once): "the leaker is allocating", not "500 ms have passed".
 */
export async function waitForGrowth(pid: number, mb: number, o: WaitOptions = {}): Promise<true> {
  const start = await waitUntil(`PID ${pid} to have an RSS`, () => rssMb(pid), o);
  return waitUntil(`PID ${pid} to grow by ${mb} MB from ${start.toFixed(1)} MB (now ${rssMb(pid)?.toFixed(1)} MB)`, () => (rssMb(pid) ?? -Infinity) >= start + mb, o);
}

/** Wait until a spawned process runs `exe` (it has exec'd: /proc/PID/exe), e.g. /python/ rather than the fork. */
export function waitForExec(pid: number, exe: RegExp, o: WaitOptions = {}): Promise<true> {
  return waitUntil(`PID ${pid} to run ${exe}`, () => {
    try {
      return exe.test(readlinkSync(`/proc/${pid}/exe`));
    } catch {
      return false;
    }
  }, o);
}

/** The PIDs of a process's direct children (/proc/PID/task/TID/children, every thread), [] when it is gone. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

/** The command line of a process, joined by spaces ('' when it is gone). */
function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * Wait until `pid` has at least `n` children, each holding at least `minRssMb` resident (default 0) and,
 * where `cmd` is given, running it (exec'd: a forked child still carries its parent's command line):
 * "the workers are up and allocated their base", not "800 ms have passed". Resolves to their PIDs.
 */
export function waitForChildren(pid: number, n: number, cmd?: RegExp | (WaitOptions & { minRssMb?: number }), o: WaitOptions & { minRssMb?: number } = {}): Promise<number[]> {
  if (cmd !== undefined && !(cmd instanceof RegExp)) return waitForChildren(pid, n, undefined, cmd);
  const minRss = o.minRssMb ?? 0;
  const matching = () => childPids(pid).filter((c) => (!cmd || cmd.test(cmdlineOf(c))) && (minRss === 0 || (rssMb(c) ?? 0) >= minRss));
  return waitUntil(`PID ${pid} to have ${n} children${cmd ? ` running ${cmd}` : ''}${minRss ? ` of ≥ ${minRss} MB` : ''} (have ${matching().length})`, () => {
    const m = matching();
    return m.length >= n && m;
  }, o);
}
