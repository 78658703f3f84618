// leak-track --explain: while tracking goes on, watch every tracked process; the first time one is
// confidently growing, profile that process (Node snapshots or a Python census, through the same
// library code and safety as leak-profile), one profile at a time, at most N per process. Every profile
// is stored with the session as it goes (its windows as each capture ends), and whatever stops it (a
// permission, a runtime we cannot look into, the target exiting, Ctrl-C) becomes its stored outcome,
// never an error of the tracking run.
import path from 'node:path';
import type { Db } from '../store/open-db.js';
import type { TickSummary } from '../track/sampler.js';
import type { ProfileReport } from '../types.js';
import type { ProfileProcessOptions } from '../profile/profile-process.js';
import { ProfileRecorder, type ProfileStatus, type ProfileWindow } from '../store/profile-store.js';
import { GrowthWatch, ownGrowth, seriesOf, type Growth, type Watched } from './growth-watch.js';
import type { SeriesWindow } from '../analyze/index.js';
import { describeTarget } from './describe-target.js';

export interface ExplainOptions {
  db: Db;
  /** Profiles per process (--explain-max). */
  maxPerProcess: number;
  maxRate: number | null;
  /** The tracking interval, s: how long memory settles after a capture. */
  intervalS: number;
  /** Captures per profile and the time between them. */
  captures: number;
  captureIntervalS: number;
  /** A directory checked by prepareOutDir, or null: the captures are not kept. */
  outDir: string | null;
  /** Where the analysis of a long series runs at most this often per process, ms. */
  checkEveryMs?: number;
  /** The tracking run's signal: Ctrl-C ends the profile too, which then closes everything it opened. */
  signal: AbortSignal;
  say: (line: string) => void;
}

interface Running {
  pid: number;
  done: Promise<void>;
}

/** Readings of a process before it may be profiled. */
export const MIN_POINTS = 20;
/** Growth (MB, at the rate's lower bound over the readings) below which there is nothing to profile. */
export const MIN_GROWN_MB = 2;
/** Confident growth must hold this long (and this share of the readings' span) before a profile. */
export const CONFIRM_MS = 4000;
export const CONFIRM_SHARE = 0.25;

export class Explainer {
  private recorder: ProfileRecorder | null = null;
  private watch: GrowthWatch | null = null;
  private running: Running | null = null;
  private readonly taken = new Map<string, number>();
  private readonly windows = new Map<string, SeriesWindow[]>();
  private profileFn: ((o: ProfileProcessOptions) => Promise<ProfileReport>) | null = null;

  constructor(private readonly o: ExplainOptions) {}

  /** The session exists: profiles can be recorded in it. */
  begin(sessionId: number, t0Ms: number): void {
    this.recorder = new ProfileRecorder(this.o.db, sessionId);
    this.watch = new GrowthWatch(t0Ms);
  }

  /** True while a profile runs: tracking goes on past its duration until it ends. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Feed one committed tick; may start a profile (never waits for it). */
  onTick(t: TickSummary): void {
    const watch = this.watch;
    if (!watch || this.o.signal.aborted) return;
    const now = Date.now();
    for (const r of t.rows) watch.add(r.process, r.rowId, r.sample);
    watch.forgetOlderThan(now, Math.max(60_000, this.o.intervalS * 5000));
    if (this.running) return;
    let best: { w: Watched; g: Growth } | null = null;
    for (const w of watch.procs.values()) {
      // A few more than the analysis's minimum: the readings before the profile must carry the verdict
      // on their own if the run ends before memory is back on its trend (see profile-windows.ts).
      const series = (this.taken.get(w.key) ?? 0) < this.o.maxPerProcess ? seriesOf(w, MIN_POINTS) : null;
      if (!series) continue;
      // The analysis costs more with more points: every tick while short, then every few seconds.
      if (series.t_s.length > 200 && now - w.checkedMs < (this.o.checkEveryMs ?? 5000)) continue;
      w.checkedMs = now;
      const { t_s } = series;
      const g = ownGrowth(w, MIN_POINTS, this.windows.get(w.key) ?? [], { maxRate: this.o.maxRate, settleS: this.o.intervalS });
      // Worth a profile: at least MIN_GROWN_MB grown even at the interval's lower bound (less is below
      // what a census or snapshot diff can tell from noise), and still so after a while: a sawtooth read
      // every few ticks can look like growth for one fit, never for long.
      const span = t_s.length > 1 ? t_s[t_s.length - 1]! - t_s[0]! : 0;
      if (!g || (g.ci[0] * span) / 60 < MIN_GROWN_MB) {
        w.growingSinceMs = null;
        continue;
      }
      w.growingSinceMs ??= now;
      if (now - w.growingSinceMs < Math.max(CONFIRM_MS, span * 1000 * CONFIRM_SHARE)) continue;
      if (!best || g.rate > best.g.rate) best = { w, g };
    }
    if (best) this.start(best.w, best.g);
  }

  /** Wait for the profile under way, if any (after Ctrl-C: until it has closed everything). */
  async settle(): Promise<void> {
    while (this.running) await this.running.done;
  }

  private start(w: Watched, g: Growth): void {
    const n = (this.taken.get(w.key) ?? 0) + 1;
    this.taken.set(w.key, n);
    const done = this.profile(w, g, n)
      .catch((e: unknown) => this.o.say(`explain: ${(e as Error).message}`)) // storage trouble: tracking reports it itself
      .finally(() => {
        this.running = null;
      });
    this.running = { pid: w.pid, done };
  }

  private async profile(w: Watched, g: Growth, n: number): Promise<void> {
    const rec = this.recorder!;
    const startMs = Date.now();
    const who = `${w.name} ${w.pid} (${w.role})`;
    const { runtime, refusal } = describeTarget(w.pid);
    // A runtime we cannot look into, no permission, a process gone: no later try would do better, so
    // --explain-max N does not retry it (a perl job with --explain-max 2 read "No profile" twice).
    if (refusal) this.taken.set(w.key, this.o.maxPerProcess);
    const id = rec.start({ processRowId: w.rowId, pid: w.pid, runtime, atMs: startMs, trigger: g });
    this.o.say(`explain: ${who} is growing ${g.rate.toFixed(1)} MB/min (${g.ci[0].toFixed(1)}–${g.ci[1].toFixed(1)}); profiling it (${runtime ?? 'runtime unknown'}) while tracking goes on`);
    const captures: ProfileWindow[] = [];
    let open: number | null = null;
    const onCapture = (phase: 'start' | 'end') => {
      const now = Date.now();
      if (phase === 'start') open = now;
      else if (open !== null) {
        const win: ProfileWindow = { start_ms: open, end_ms: now, kind: 'paused' };
        captures.push(win);
        this.remember(w.key, win);
        rec.window(id, win);
        open = null;
      }
    };
    let status: Exclude<ProfileStatus, 'running'> = 'done';
    let message: string | null = null;
    let report: ProfileReport | null = null;
    try {
      if (refusal) throw refusal;
      this.profileFn ??= (await import('../profile/profile-process.js')).profileProcess;
      const outDir = this.o.outDir ? await subDir(this.o.outDir, `${w.pid}-${n}`) : null;
      report = await this.profileFn({
        pid: w.pid, snapshots: this.o.captures, interval_s: this.o.captureIntervalS, top: 20, outDir, force: false,
        mode: 'auto', timeout_s: 60, signal: this.o.signal, onCapture, collectBetweenFiles: true,
        onProgress: (line) => this.o.say(`explain ${w.pid}: ${line}`),
      });
      if (report.warnings?.length) message = report.warnings.join('; ');
    } catch (e) {
      const interrupted = (e as Error).name === 'Interrupted';
      status = interrupted ? 'interrupted' : 'failed';
      message = (e as Error).message || String(e);
      this.o.say(`explain: ${interrupted ? 'profile interrupted' : `no profile of ${who}`}: ${message}`);
    }
    const endMs = Date.now();
    // The inspector opening (or gdb's preflight) before the first capture and its closing after the
    // last inflate the target too; with no capture at all the whole attempt is one window.
    const first = captures[0];
    const last = captures[captures.length - 1];
    const extra: ProfileWindow[] = first && last
      ? [{ start_ms: startMs, end_ms: first.start_ms, kind: 'inflated' }, { start_ms: last.end_ms, end_ms: endMs, kind: 'inflated' }]
      : refusal ? [] : [{ start_ms: startMs, end_ms: endMs, kind: 'inflated' }];
    for (const x of extra) {
      rec.window(id, x);
      this.remember(w.key, x);
    }
    rec.end(id, endMs, status, message, report);
    if (status === 'done') this.o.say(`explain: profile of ${who} stored with the session (${report!.growing.length} growing type${report!.growing.length === 1 ? '' : 's'})`);
  }

  private remember(key: string, win: ProfileWindow): void {
    const t = this.watch!;
    this.windows.set(key, [...(this.windows.get(key) ?? []), { start_s: t.toSeconds(win.start_ms), end_s: t.toSeconds(win.end_ms) }]);
  }
}

/** A per-profile directory under --explain-out, with the same checks as leak-profile's --out. */
async function subDir(root: string, name: string): Promise<string> {
  const { prepareOutDir } = await import('../safe-files.js');
  return prepareOutDir(path.join(root, name), '--explain-out');
}
