// One census of a live Python process: inject the payload (or ask the hook), wait (bounded) for its
// result in the census channel (see census-channel.ts: root never follows a path the target controls).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LeakError } from '../../errors.js';
import type { Census, TypeStat } from '../../types.js';
import { injectSnippet } from './gdb-inject.js';
import { prepareResult, readResult, writeOwnFile, type CensusChannel } from './census-channel.js';
import { sendHookRequest } from './hook-request.js';
import { abortableSleep } from '../interrupted.js';

/** The payload shipped in scripts/ (dist/src/profile/python → repo root). */
export const PAYLOAD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../scripts/leak_census.py');

export interface RawCensus {
  pid: number;
  python: string;
  mode: string;
  time: number;
  pause_s: number;
  total_s: number;
  objects: number;
  bytes: number;
  types: Record<string, [number, number]>;
  biggest_containers: [number, string][];
  paths: Record<string, string>;
}

export interface CensusRequest {
  pid: number;
  /** Ask the in-process hook (scripts/leak_detective_hook.py, always SIGUSR2) instead of injecting with gdb. */
  useHook: boolean;
  /** Where the result comes back: a root-owned directory the target can only write its own file in. */
  channel: CensusChannel;
  seq: number;
  mode: 'auto' | 'full' | 'cheap';
  pathsFor?: string[];
  /** --trim: gc.collect() + malloc_trim(0) after the budget's reading (scripts/leak_budget.py). */
  trim?: boolean;
  timeout_s: number;
  signal?: AbortSignal;
}

/** Run one census; `stop_s` is how long gdb held the target stopped. */
export async function takeCensus(r: CensusRequest): Promise<{ raw: RawCensus; stop_s: number }> {
  const out = prepareResult(r.channel, r.seq);
  // trim: 1, not true: the args are pasted into the Python snippet as JSON.
  const args = { out, mode: r.mode, paths_for: r.pathsFor ?? [], max_seconds: 3, ...(r.trim ? { trim: 1 } : {}) };
  // The payload's functions and their globals form a cycle; clearing the dict frees them at once, so
  // the census's own code objects never show up as growth in the next census.
  const snippet = `_ld_g={'__name__':'__leak_census__','LD_ARGS':${JSON.stringify(args)}};exec(compile(open(${JSON.stringify(PAYLOAD)},'rb').read(),${JSON.stringify(PAYLOAD)},'exec'),_ld_g);_ld_g.clear();del _ld_g\n`;
  let stop_s = 0;
  if (r.useHook) sendHookRequest(r.pid, args);
  else stop_s = (await injectSnippet(r.pid, snippet, (text) => writeOwnFile(r.channel.dir, `snippet-${r.seq}.py`, text))).stop_s;
  const deadline = Date.now() + r.timeout_s * 1000;
  while (Date.now() < deadline) {
    const raw = readResult<RawCensus>(out, r.channel, r.pid);
    if (raw) return { raw: checkShape(raw, r.pid), stop_s };
    try {
      process.kill(r.pid, 0);
    } catch {
      throw new LeakError('not-found', `PID ${r.pid} exited while the census was pending`);
    }
    await abortableSleep(50, r.signal);
  }
  throw new LeakError(
    'timeout',
    `PID ${r.pid} did not reach a safe point within ${r.timeout_s} s (it is blocked in a C call or a sleep); ` +
      `the census stays queued and runs when it returns (its result is discarded); try again while it is busy, or raise --timeout`,
  );
}

/** The fields the diff relies on, with the types it relies on: the target wrote this file. */
function checkShape(raw: RawCensus, pid: number): RawCensus {
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  const ok = num(raw.time) && num(raw.pause_s) && num(raw.objects) && num(raw.bytes) && raw.types && typeof raw.types === 'object' &&
    Object.values(raw.types).every((v) => Array.isArray(v) && v.length === 2 && num(v[0]) && num(v[1])) && (raw.paths === undefined || typeof raw.paths === 'object');
  if (!ok) throw new LeakError('unsupported', `PID ${pid} wrote a census result without the expected fields; nothing was used from it`);
  raw.paths ??= {};
  return raw;
}

/** Convert a raw census to the runtime-neutral shape the diff consumes. */
export function toCensus(raw: RawCensus, t0: number): Census {
  const types = new Map<string, TypeStat>();
  for (const [name, [count, bytes]] of Object.entries(raw.types)) types.set(name, { count, bytes });
  return { t_s: raw.time - t0, file: null, objects: raw.objects, bytes: raw.bytes, types, pause_s: raw.pause_s };
}
