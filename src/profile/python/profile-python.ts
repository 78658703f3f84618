// leak-profile on a live CPython process: N censuses `interval` apart, diffed by type; then one more
// short injection that finds who holds the top growers.
import path from 'node:path';
import type { GrowingType, ProfileReport } from '../../types.js';
import { formatDuration } from '../../units.js';
import { diffCensuses, NOISE_FLOOR, rankNamedTypesFirst } from '../diff.js';
import { detectRuntime } from '../detect-runtime.js';
import { censusWarnings, deviceSeries, noteAutogradGraphs, type CensusExtras } from './census-findings.js';
import { checkInjectable } from './preflight.js';
import { fileUid, refuseIfStopped } from '../proc-state.js';
import { takeCensus, toCensus, writeSizes, type RawCensus } from './take-census.js';
import { closeChannel, openChannel } from './census-channel.js';
import { hasHook, withdrawHookRequest } from './hook-request.js';
import { abortableSleep, abortSignalName, AbortedError, Interrupted } from '../interrupted.js';
import { readSmapsRollup } from '../../track/smaps-rollup.js';
import { pythonBudget } from '../budget/compose.js';
import { missingBudgetNote, pythonReading } from '../budget/readings.js';
import { trimResult, type TrimResult } from '../budget/trim-verdict.js';
import type { PythonBudgetReading } from '../budget/types.js';
import { startNativeTrace, type NativeSites, type NativeTrace } from '../native/trace-native.js';
import { checkExistingFile, writeFileAtomically } from '../../safe-files.js';
import { usageError } from '../../errors.js';

export interface PythonProfileOptions {
  pid: number;
  snapshots: number;
  interval_s: number;
  top: number;
  /** Keep each census (JSON, 0600) here: a directory already checked by prepareOutDir, absolute. */
  outDir: string | null;
  mode?: 'auto' | 'full' | 'cheap';
  timeout_s?: number;
  /** gc.collect() + malloc_trim(0) in the target after the last census's budget reading (changes its memory). */
  trim?: boolean;
  /** Follow the target's C allocations with bpftrace between the first and the last census. */
  nativeSites?: boolean;
  force?: boolean;
  onProgress?: (line: string) => void;
  /** Count down between censuses every second (a terminal); otherwise the wait is said once (CI logs). */
  countdown?: boolean;
  signal?: AbortSignal;
  /** Told when a census starts and ends (the target paused): leak-track --explain records the windows. */
  onCapture?: (phase: 'start' | 'end') => void;
}

/** Take the censuses and report what grows in every interval and who holds it. */
export async function profilePython(o: PythonProfileOptions): Promise<ProfileReport> {
  const say = o.onProgress ?? (() => {});
  const rt = detectRuntime(o.pid);
  const useHook = hasHook(o.pid);
  if (useHook) say(`PID ${o.pid} imported leak_detective_hook: censuses on SIGUSR2, no gdb needed`);
  else checkInjectable(o.pid, rt);
  refuseIfStopped(o.pid, useHook ? 'send it SIGUSR2' : 'attach gdb to it');
  // --out is ours, resolved against our cwd (never the target's); the target writes only into the channel.
  const keepDir = o.outDir === null ? null : path.resolve(o.outDir);
  if (keepDir) refuseTaken(keepDir, o.pid, o.snapshots); // before the target is touched
  // Results come back through a root-owned directory the target can only write its own files in.
  const channel = openChannel(fileUid(o.pid, rt.uid));
  say(`${o.snapshots} censuses ${formatDuration(o.interval_s)} apart, then one to find holders: about ${formatDuration((o.snapshots - 1) * o.interval_s)} in all, plus the censuses themselves`);
  let trace: NativeTrace | null = null;
  try {
    const censuses = [];
    const raws: (RawCensus & CensusExtras)[] = [];
    const files: (string | null)[] = [];
    const stops: number[] = [];
    const readings: PythonBudgetReading[] = [];
    let trimmed: TrimResult | string | null = null;
    let native: NativeSites | string | null = null;
    let ussDenied: string | null = null;
    let t0 = 0;
    let sizes: number[] | null = null; // the first census's container sizes: holders after the first must have grown
    for (let i = 0; i < o.snapshots; i++) {
      if (i > 0 && o.countdown) await countdown(o.interval_s, (s) => say(`census ${i + 1}/${o.snapshots} in ${s} s`), o.signal);
      else if (i > 0) {
        say(`census ${i + 1}/${o.snapshots} in ${Math.ceil(o.interval_s)} s`);
        await abortableSleep(o.interval_s * 1000, o.signal); // throws AbortedError on a signal
      }
      if (trace && i === o.snapshots - 1) [native, trace] = [await trace.stop(), null];
      say(`census ${i + 1}/${o.snapshots}: injecting…`);
      // USS as the census begins (the census's own memory is given back at its end): the budget's base.
      const uss = readSmapsRollup(o.pid);
      if (!uss.ok) ussDenied = uss.reason;
      const trim = Boolean(o.trim) && i === o.snapshots - 1;
      if (trim) say('--trim: this census runs gc.collect() and malloc_trim(0) in the target (it changes its memory)');
      const { raw, stop_s } = await captured(o, () => takeCensus({ pid: o.pid, useHook, channel, seq: i, mode: o.mode ?? 'auto', trim, sizes: i === 0, timeout_s: o.timeout_s ?? 60, signal: o.signal }));
      if (i === 0) [t0, sizes] = [raw.time, raw.sizes ?? null];
      delete raw.sizes; // container ids, for the holder census only: not kept in --out
      readings.push(pythonReading(raw.time - t0, uss.ok ? uss.reading.uss : null, raw.bytes, (raw as { budget?: unknown }).budget, uss.ok ? Math.max(0, uss.reading.rss - uss.reading.uss) : null));
      if (trim) trimmed = trimResult((raw as { budget?: { trim?: unknown } }).budget?.trim);
      censuses.push(toCensus(raw, t0));
      raws.push(raw as RawCensus & CensusExtras);
      stops.push(stop_s);
      files.push(keepDir ? keep(keepDir, `census-${o.pid}-${i + 1}.json`, raw) : null);
      if (i === 0 && o.nativeSites) {
        const t = await startNativeTrace(o.pid, (o.snapshots - 1) * o.interval_s + 120);
        if (typeof t === 'string') native = t;
        else (trace = t), say(`native allocations followed with bpftrace until the last census: ${t.scope} (bench/README.md §7)`);
      }
      say(`census ${i + 1}/${o.snapshots}: ${raw.objects.toLocaleString('en-US')} objects (${raw.mode}), target paused ${(raw.pause_s + stop_s).toFixed(2)} s (${raw.pause_s.toFixed(2)} s counting, ${stop_s.toFixed(2)} s stopped under gdb)`);
    }
    const growing = noteAutogradGraphs(rankNamedTypesFirst(diffCensuses(censuses, NOISE_FLOOR)).slice(0, o.top), raws);
    const warnings = censusWarnings(raws);
    if (growing.length > 0) {
      say(`finding who holds ${growing.slice(0, 5).map((g) => g.type).join(', ')}…`);
      const asked = growing.slice(0, 5);
      const { raw, stop_s } = await captured(o, () => takeCensus({
        pid: o.pid, useHook, channel, seq: o.snapshots, mode: 'cheap', pathsFor: asked.map((g) => g.type),
        growth: Object.fromEntries(asked.map((g) => [g.type, Math.max(0, Math.round(g.count_delta))])), timeout_s: o.timeout_s ?? 60, signal: o.signal,
        ...(sizes ? { sizesFrom: writeSizes(channel, sizes) } : {}),
      }));
      say(`holders found; target paused ${((raw as RawCensus & { total_s?: number }).total_s ?? raw.pause_s).toFixed(2)} s (+ ${stop_s.toFixed(2)} s under gdb)`);
      if (keepDir) keep(keepDir, `census-${o.pid}-holders.json`, raw);
      for (const g of growing) nameHolders(g, raw);
      for (const w of censusWarnings([raw as RawCensus & CensusExtras])) if (!warnings.includes(w)) warnings.push(w);
    }
    const device = deviceSeries(raws);
    const budget = pythonBudget(readings);
    if (!budget) warnings.push(missingBudgetNote(o.pid, ussDenied));
    if (typeof trimmed === 'string') warnings.push(`--trim: ${trimmed}`);
    if (typeof native === 'string') warnings.push(`--native-sites: ${native}`);
    return {
      target: { pid: o.pid, runtime: 'python' },
      snapshots: censuses.map((c, i) => ({ t_s: Math.round(c.t_s * 1000) / 1000, file: files[i]!, objects: c.objects, bytes: c.bytes, pause_s: Math.round(((c.pause_s ?? 0) + stops[i]!) * 1000) / 1000 })),
      growing,
      ...(warnings.length ? { warnings } : {}),
      ...(device ? { device } : {}),
      ...(budget ? { budget } : {}),
      ...(trimmed && typeof trimmed !== 'string' ? { trim: trimmed } : {}),
      ...(native && typeof native !== 'string' ? { native_sites: native } : {}),
    };
  } catch (e) {
    const sig = abortSignalName(o.signal);
    if (sig && e instanceof AbortedError) throw new Interrupted(sig, `nothing of leak-profile's is left behind (a census already queued in PID ${o.pid} finds its result file gone and writes nothing)`);
    throw e;
  } finally {
    if (trace) await trace.stop();
    closeChannel(channel);
    if (useHook) withdrawHookRequest(o.pid);
  }
}

/** Run one census between the onCapture calls (the target is paused somewhere inside). */
async function captured<T>(o: PythonProfileOptions, take: () => Promise<T>): Promise<T> {
  o.onCapture?.('start');
  try {
    return await take();
  } finally {
    o.onCapture?.('end');
  }
}

/**
 * A grower's holders from the holder census: the first is its retainer_path; where there are several,
 * each is a cluster as Node's are, its count and bytes being the grower's growth times the holder's
 * share of the sampled instances (a Python census cannot tell new instances from old).
 */
export function nameHolders(g: GrowingType, raw: Pick<RawCensus, 'paths' | 'holders'>): void {
  const hs = raw.holders[g.type];
  if (!hs?.length) {
    g.retainer_path = raw.paths[g.type] ?? null;
    return;
  }
  g.retainer_path = hs[0]!.path;
  if (hs.length > 1) {
    g.clusters = hs.map((h) => ({ path: h.path, count: Math.round(h.share * g.count_delta), retained_bytes: Math.round(h.share * g.bytes_delta), share: h.share }));
  }
}

/** The names this run keeps in --out: each must be free (a link or a file planted there is refused up front). */
function refuseTaken(dir: string, pid: number, n: number): void {
  const names = [...Array.from({ length: n }, (_, i) => `census-${pid}-${i + 1}.json`), `census-${pid}-holders.json`];
  for (const name of names) {
    if (checkExistingFile(path.join(dir, name), `--out ${dir}`)) throw usageError(`--out ${dir} already holds ${name}; give an empty directory or remove the old censuses`);
  }
}

/** Write one census as JSON into the --out directory: whole (temp file, then link), 0600, never over anything. */
function keep(dir: string, name: string, raw: unknown): string {
  return writeFileAtomically(path.join(dir, name), JSON.stringify(raw), '--out', 0o600, { replace: false });
}

/** Wait `seconds`, telling the seconds left (every second for short waits, every 5 s for long ones). */
async function countdown(seconds: number, tell: (left: number) => void, signal?: AbortSignal): Promise<void> {
  const end = Date.now() + seconds * 1000;
  const step = seconds <= 10 ? 1 : 5;
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) return;
    const s = Math.ceil(left / 1000);
    if (seconds >= 1 && (s % step === 0 || s === Math.ceil(seconds))) tell(s);
    await abortableSleep(Math.min(left, left - (s - 1) * 1000 || 1000), signal); // throws AbortedError on a signal
  }
}
