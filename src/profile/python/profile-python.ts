// leak-profile on a live CPython process: N censuses `interval` apart, diffed by type; then one more
// short injection that finds who holds the top growers.
import type { ProfileReport } from '../../types.js';
import { diffCensuses, NOISE_FLOOR, rankNamedTypesFirst } from '../diff.js';
import { detectRuntime } from '../detect-runtime.js';
import { checkInjectable } from './preflight.js';
import { fileUid, refuseIfStopped } from '../proc-state.js';
import { takeCensus, toCensus } from './take-census.js';
import { closeChannel, openChannel } from './census-channel.js';
import { hasHook, withdrawHookRequest } from './hook-request.js';
import { abortableSleep, abortSignalName, AbortedError, Interrupted } from '../interrupted.js';

export interface PythonProfileOptions {
  pid: number;
  snapshots: number;
  interval_s: number;
  top: number;
  outDir: string | null;
  mode?: 'auto' | 'full' | 'cheap';
  timeout_s?: number;
  force?: boolean;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Take the censuses and report what grows in every interval and who holds it. */
export async function profilePython(o: PythonProfileOptions): Promise<ProfileReport> {
  const say = o.onProgress ?? (() => {});
  const rt = detectRuntime(o.pid);
  const useHook = hasHook(o.pid);
  if (useHook) say(`PID ${o.pid} imported leak_detective_hook: censuses on SIGUSR2, no gdb needed`);
  else checkInjectable(o.pid, rt);
  refuseIfStopped(o.pid, useHook ? 'send it SIGUSR2' : 'attach gdb to it');
  // Results come back through a root-owned directory the target can only write its own files in.
  const channel = openChannel(fileUid(o.pid, rt.uid));
  try {
    const censuses = [];
    const stops: number[] = [];
    let t0 = 0;
    for (let i = 0; i < o.snapshots; i++) {
      if (i > 0) await abortableSleep(o.interval_s * 1000, o.signal);
      say(`census ${i + 1}/${o.snapshots}: injecting…`);
      const { raw, stop_s } = await takeCensus({ pid: o.pid, useHook, channel, seq: i, mode: o.mode ?? 'auto', timeout_s: o.timeout_s ?? 60, signal: o.signal });
      if (i === 0) t0 = raw.time;
      censuses.push(toCensus(raw, t0));
      stops.push(stop_s);
      say(`census ${i + 1}/${o.snapshots}: ${raw.objects.toLocaleString('en-US')} objects (${raw.mode}), target paused ${raw.pause_s.toFixed(2)} s in the census + ${stop_s.toFixed(2)} s under gdb`);
    }
    const growing = rankNamedTypesFirst(diffCensuses(censuses, NOISE_FLOOR)).slice(0, o.top);
    if (growing.length > 0) {
      say(`finding who holds ${growing.slice(0, 5).map((g) => g.type).join(', ')}…`);
      const { raw } = await takeCensus({ pid: o.pid, useHook, channel, seq: o.snapshots, mode: 'cheap', pathsFor: growing.slice(0, 5).map((g) => g.type), timeout_s: o.timeout_s ?? 60, signal: o.signal });
      for (const g of growing) g.retainer_path = raw.paths[g.type] ?? null;
    }
    return {
      target: { pid: o.pid, runtime: 'python' },
      snapshots: censuses.map((c, i) => ({ t_s: Math.round(c.t_s * 1000) / 1000, file: null, objects: c.objects, bytes: c.bytes, pause_s: Math.round(((c.pause_s ?? 0) + stops[i]!) * 1000) / 1000 })),
      growing,
    };
  } catch (e) {
    const sig = abortSignalName(o.signal);
    if (sig && e instanceof AbortedError) throw new Interrupted(sig, `nothing of leak-profile's is left behind (a census already queued in PID ${o.pid} finds its result file gone and writes nothing)`);
    throw e;
  } finally {
    closeChannel(channel);
    if (useHook) withdrawHookRequest(o.pid);
  }
}
