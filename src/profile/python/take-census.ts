// One census of a live Python process: inject the payload, wait (bounded) for its result file.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LeakError } from '../../errors.js';
import type { Census, TypeStat } from '../../types.js';
import { injectSnippet } from './gdb-inject.js';

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
  /** Use the in-process hook (scripts/leak_detective_hook.py) instead of gdb: its signal name. */
  hookSignal?: NodeJS.Signals | null;
  dir: string; // private directory for the snippet and the result
  seq: number;
  mode: 'auto' | 'full' | 'cheap';
  pathsFor?: string[];
  timeout_s: number;
}

/** Run one census; `stop_s` is how long gdb held the target stopped. */
export async function takeCensus(r: CensusRequest): Promise<{ raw: RawCensus; stop_s: number }> {
  const out = path.join(r.dir, `census-${r.seq}.json`);
  const args = { out, mode: r.mode, paths_for: r.pathsFor ?? [], max_seconds: 3 };
  // The payload's functions and their globals form a cycle; clearing the dict frees them at once, so
  // the census's own code objects never show up as growth in the next census.
  const snippet = `_ld_g={'__name__':'__leak_census__','LD_ARGS':${JSON.stringify(args)}};exec(compile(open(${JSON.stringify(PAYLOAD)},'rb').read(),${JSON.stringify(PAYLOAD)},'exec'),_ld_g);_ld_g.clear();del _ld_g\n`;
  let stop_s = 0;
  if (r.hookSignal) {
    writeFileSync(path.join(r.dir, 'request.json'), JSON.stringify(args), { mode: 0o600 });
    process.kill(r.pid, r.hookSignal);
  } else {
    stop_s = (await injectSnippet(r.pid, snippet, path.join(r.dir, `snippet-${r.seq}.py`))).stop_s;
  }
  const deadline = Date.now() + r.timeout_s * 1000;
  while (Date.now() < deadline) {
    if (existsSync(out)) {
      const raw = JSON.parse(readFileSync(out, 'utf8')) as RawCensus;
      rmSync(out, { force: true });
      return { raw, stop_s };
    }
    if (existsSync(`${out}.err`)) {
      const err = readFileSync(`${out}.err`, 'utf8');
      throw new LeakError('internal', `the census failed inside PID ${r.pid}: ${err}; the target was left running`);
    }
    try {
      process.kill(r.pid, 0);
    } catch {
      throw new LeakError('not-found', `PID ${r.pid} exited while the census was pending`);
    }
    await new Promise((res) => setTimeout(res, 50));
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

/** The hook's directory for a PID, and its signal, if the target imported leak_detective_hook. */
export function findHook(pid: number, uid: number): { dir: string; signal: NodeJS.Signals } | null {
  const dir = `/tmp/leak-detective-${uid}/${pid}`;
  try {
    const name = readFileSync(path.join(dir, 'ready'), 'utf8').trim();
    return /^SIG[A-Z0-9]+$/.test(name) ? { dir, signal: name as NodeJS.Signals } : null;
  } catch {
    return null;
  }
}
