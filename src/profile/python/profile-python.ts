// leak-profile on a live CPython process: N censuses `interval` apart, diffed by type; then one more
// short injection that finds who holds the top growers.
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProfileReport } from '../../types.js';
import { diffCensuses, NOISE_FLOOR, rankNamedTypesFirst } from '../diff.js';
import { detectRuntime } from '../detect-runtime.js';
import { checkInjectable } from './preflight.js';
import { findHook, takeCensus, toCensus } from './take-census.js';

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
  const hook = findHook(o.pid, rt.uid);
  if (hook) say(`PID ${o.pid} imported leak_detective_hook: censuses on ${hook.signal}, no gdb needed`);
  else checkInjectable(o.pid, rt);
  // With the hook, its own 0700 directory; otherwise a private one the target may write to.
  const dir = hook ? hook.dir : mkdtempSync(path.join(o.outDir ?? tmpdir(), 'leak-census-'));
  if (!hook && (process.getuid?.() ?? 0) === 0 && rt.uid !== 0) chownSync(dir, rt.uid, -1);
  try {
    const censuses = [];
    const stops: number[] = [];
    let t0 = 0;
    for (let i = 0; i < o.snapshots; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, o.interval_s * 1000));
      say(`census ${i + 1}/${o.snapshots}: injecting…`);
      const { raw, stop_s } = await takeCensus({ pid: o.pid, hookSignal: hook?.signal, dir, seq: i, mode: o.mode ?? 'auto', timeout_s: o.timeout_s ?? 60 });
      if (i === 0) t0 = raw.time;
      censuses.push(toCensus(raw, t0));
      stops.push(stop_s);
      say(`census ${i + 1}/${o.snapshots}: ${raw.objects.toLocaleString('en-US')} objects (${raw.mode}), target paused ${raw.pause_s.toFixed(2)} s in the census + ${stop_s.toFixed(2)} s under gdb`);
    }
    const growing = rankNamedTypesFirst(diffCensuses(censuses, NOISE_FLOOR)).slice(0, o.top);
    if (growing.length > 0) {
      say(`finding who holds ${growing.slice(0, 5).map((g) => g.type).join(', ')}…`);
      const { raw } = await takeCensus({ pid: o.pid, hookSignal: hook?.signal, dir, seq: o.snapshots, mode: 'cheap', pathsFor: growing.slice(0, 5).map((g) => g.type), timeout_s: o.timeout_s ?? 60 });
      for (const g of growing) g.retainer_path = raw.paths[g.type] ?? null;
    }
    return {
      target: { pid: o.pid, runtime: 'python' },
      snapshots: censuses.map((c, i) => ({ t_s: Math.round(c.t_s * 1000) / 1000, file: null, objects: c.objects, bytes: c.bytes, pause_s: Math.round(((c.pause_s ?? 0) + stops[i]!) * 1000) / 1000 })),
      growing,
    };
  } finally {
    if (!hook) rmSync(dir, { recursive: true, force: true });
  }
}
