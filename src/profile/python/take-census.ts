// One census of a live Python process: inject the payload (or ask the hook), wait (bounded) for its
// result in the census channel (see census-channel.ts: root never follows a path the target controls).
import { existsSync } from 'node:fs';
import { endianness } from 'node:os';
import path from 'node:path';
import { LeakError } from '../../errors.js';
import type { Census, TypeStat } from '../../types.js';
import { checkCensus, type RawCensus } from './census-shape.js';
export type { RawCensus } from './census-shape.js';
import { injectSnippet } from './gdb-inject.js';
import { prepareResult, readResult, writeOwnFile, type CensusChannel } from './census-channel.js';
import { sendHookRequest } from './hook-request.js';
import { censusPayload, censusSnippet, PAYLOAD_NAME } from './census-payload.js';
import { abortableSleep } from '../interrupted.js';



export interface CensusRequest {
  pid: number;
  /** Ask the in-process hook (scripts/leak_detective_hook.py, always SIGUSR2) instead of injecting with gdb. */
  useHook: boolean;
  /** Where the result comes back: a root-owned directory the target can only write its own file in. */
  channel: CensusChannel;
  seq: number;
  mode: 'auto' | 'full' | 'cheap';
  pathsFor?: string[];
  /** Per type in pathsFor: instances gained over the profile (where to look for untracked ones). */
  growth?: Record<string, number>;
  /** Record the size of every container (the first census: scripts/census/grown.py). */
  sizes?: boolean;
  /** The file writeSizes made of the first census's sizes: a holder after the first must have grown since. */
  sizesFrom?: string;
  /** --trim: gc.collect() + malloc_trim(0) after the budget's reading (scripts/census/budget.py). */
  trim?: boolean;
  timeout_s: number;
  signal?: AbortSignal;
}

/** Run one census; `stop_s` is how long gdb held the target stopped. */
export async function takeCensus(r: CensusRequest): Promise<{ raw: RawCensus; stop_s: number }> {
  const out = prepareResult(r.channel, r.seq);
  // trim: 1, not true: the args are pasted into the Python snippet as JSON.
  const args = {
    out, mode: r.mode, paths_for: r.pathsFor ?? [], growth: r.growth ?? {}, max_seconds: 3,
    ...(r.trim ? { trim: 1 } : {}), ...(r.sizes ? { sizes: 1 } : {}), ...(r.sizesFrom ? { sizes_from: r.sizesFrom } : {}),
  };
  let stop_s = 0;
  if (r.useHook) sendHookRequest(r.pid, args);
  else {
    // The joined payload, once per channel, readable by the target in a directory only we can write.
    const payloadFile = path.join(r.channel.dir, PAYLOAD_NAME);
    if (!existsSync(payloadFile)) writeOwnFile(r.channel.dir, PAYLOAD_NAME, censusPayload(), 0o644);
    const snippet = censusSnippet(payloadFile, args);
    stop_s = (await injectSnippet(r.pid, snippet, (text) => writeOwnFile(r.channel.dir, `snippet-${r.seq}.py`, text))).stop_s;
  }
  const deadline = Date.now() + r.timeout_s * 1000;
  while (Date.now() < deadline) {
    const raw = readResult<unknown>(out, r.channel, r.pid);
    if (raw) return { raw: checkCensus(raw, r.pid), stop_s };
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

/** Convert a raw census to the runtime-neutral shape the diff consumes. */
export function toCensus(raw: RawCensus, t0: number): Census {
  const types = new Map<string, TypeStat>();
  for (const [name, [count, bytes]] of Object.entries(raw.types)) types.set(name, { count, bytes });
  return { t_s: raw.time - t0, file: null, objects: raw.objects, bytes: raw.bytes, types, pause_s: raw.pause_s };
}

/**
 * The first census's container sizes (flat id, entries, ...) as the holder census reads them
 * (scripts/census/grown.py): int64 pairs sorted by id, in native byte order (the target runs on this
 * machine), in a file of the channel the target can read and only we can write. Returns its path.
 */
export function writeSizes(ch: CensusChannel, sizes: number[]): string {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < sizes.length; i += 2) pairs.push([sizes[i]!, sizes[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const buf = Buffer.alloc(pairs.length * 16);
  const le = endianness() === 'LE';
  pairs.forEach(([id, n], k) => {
    for (const [v, at] of [[id, 16 * k], [n, 16 * k + 8]] as const) {
      if (le) buf.writeBigInt64LE(BigInt(v), at);
      else buf.writeBigInt64BE(BigInt(v), at);
    }
  });
  return writeOwnFile(ch.dir, 'sizes.bin', buf, 0o644);
}
