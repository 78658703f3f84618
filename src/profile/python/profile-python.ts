// leak-profile on a live CPython process: N censuses `interval` apart, diffed by type; then one more
// short injection that finds who holds the top growers.
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { storageError } from '../../errors.js';
import type { ProfileReport } from '../../types.js';
import { formatDuration } from '../../units.js';
import { diffCensuses, NOISE_FLOOR, rankNamedTypesFirst } from '../diff.js';
import { detectRuntime } from '../detect-runtime.js';
import { censusWarnings, deviceSeries, noteAutogradGraphs, type CensusExtras } from './census-findings.js';
import { checkInjectable } from './preflight.js';
import { findHook, takeCensus, toCensus, type RawCensus } from './take-census.js';

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
  // --out is ours (resolved against our cwd, not the target's); the target writes into a private temp dir.
  const keepDir = o.outDir === null ? null : makeOutDir(o.outDir);
  // With the hook, its own 0700 directory; otherwise a private one the target may write to.
  const dir = hook ? hook.dir : mkdtempSync(path.join(tmpdir(), 'leak-census-'));
  if (!hook && (process.getuid?.() ?? 0) === 0 && rt.uid !== 0) chownSync(dir, rt.uid, -1);
  say(`${o.snapshots} censuses ${formatDuration(o.interval_s)} apart, then one to find holders: about ${formatDuration((o.snapshots - 1) * o.interval_s)} in all, plus the censuses themselves`);
  try {
    const censuses = [];
    const raws: (RawCensus & CensusExtras)[] = [];
    const files: (string | null)[] = [];
    const stops: number[] = [];
    let t0 = 0;
    for (let i = 0; i < o.snapshots; i++) {
      if (i > 0) await countdown(o.interval_s, (s) => say(`census ${i + 1}/${o.snapshots} in ${s} s`), o.signal);
      say(`census ${i + 1}/${o.snapshots}: injecting…`);
      const { raw, stop_s } = await takeCensus({ pid: o.pid, hookSignal: hook?.signal, dir, seq: i, mode: o.mode ?? 'auto', timeout_s: o.timeout_s ?? 60 });
      if (i === 0) t0 = raw.time;
      censuses.push(toCensus(raw, t0));
      raws.push(raw);
      stops.push(stop_s);
      files.push(keepDir ? keep(keepDir, `census-${o.pid}-${i + 1}.json`, raw) : null);
      const paused = raw.pause_s + stop_s;
      say(`census ${i + 1}/${o.snapshots}: ${raw.objects.toLocaleString('en-US')} objects (${raw.mode}), target paused ${paused.toFixed(2)} s (${raw.pause_s.toFixed(2)} s counting, ${stop_s.toFixed(2)} s stopped under gdb)`);
    }
    const growing = noteAutogradGraphs(rankNamedTypesFirst(diffCensuses(censuses, NOISE_FLOOR)).slice(0, o.top), raws);
    const warnings = censusWarnings(raws);
    if (growing.length > 0) {
      say(`finding who holds ${growing.slice(0, 5).map((g) => g.type).join(', ')}…`);
      const { raw, stop_s } = await takeCensus({ pid: o.pid, hookSignal: hook?.signal, dir, seq: o.snapshots, mode: 'cheap', pathsFor: growing.slice(0, 5).map((g) => g.type), timeout_s: o.timeout_s ?? 60 });
      say(`holders found; target paused ${((raw as RawCensus & { total_s?: number }).total_s ?? raw.pause_s).toFixed(2)} s (+ ${stop_s.toFixed(2)} s under gdb)`);
      if (keepDir) keep(keepDir, `census-${o.pid}-holders.json`, raw);
      for (const g of growing) g.retainer_path = raw.paths[g.type] ?? null;
      for (const w of censusWarnings([raw as RawCensus & CensusExtras])) if (!warnings.includes(w)) warnings.push(w);
    }
    const device = deviceSeries(raws);
    return {
      target: { pid: o.pid, runtime: 'python' },
      snapshots: censuses.map((c, i) => ({ t_s: Math.round(c.t_s * 1000) / 1000, file: files[i]!, objects: c.objects, bytes: c.bytes, pause_s: Math.round(((c.pause_s ?? 0) + stops[i]!) * 1000) / 1000 })),
      growing,
      ...(warnings.length ? { warnings } : {}),
      ...(device ? { device } : {}),
    };
  } finally {
    if (!hook) rmSync(dir, { recursive: true, force: true });
  }
}

function makeOutDir(out: string): string {
  const dir = path.resolve(out);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw storageError(`cannot create the --out directory ${dir} (${(e as NodeJS.ErrnoException).code ?? e}); give a writable directory`, e);
  }
  return dir;
}

/** Write one census as JSON (mode 0600) into the --out directory; returns its path. */
function keep(dir: string, name: string, raw: unknown): string {
  const file = path.join(dir, name);
  try {
    writeFileSync(file, JSON.stringify(raw), { mode: 0o600 });
  } catch (e) {
    throw storageError(`cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? e}); give a writable --out directory`, e);
  }
  return file;
}

/** Wait `seconds`, telling the seconds left (every second for short waits, every 5 s for long ones). */
async function countdown(seconds: number, tell: (left: number) => void, signal?: AbortSignal): Promise<void> {
  const end = Date.now() + seconds * 1000;
  const step = seconds <= 10 ? 1 : 5;
  let told = -1;
  for (;;) {
    const left = end - Date.now();
    if (left <= 0 || signal?.aborted) return;
    const s = Math.ceil(left / 1000);
    if (seconds >= 1 && s !== told && (s % step === 0 || s === Math.ceil(seconds))) tell((told = s));
    await new Promise((r) => setTimeout(r, Math.min(left, left - (s - 1) * 1000 || 1000)));
  }
}
