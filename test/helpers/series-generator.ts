// A seeded generator of labelled memory traces: the truth the analysis is measured against.
// Labels follow DESIGN.md §2: a leak that stops halfway is a plateau at the end of the window; one
// that starts halfway is growing; a one-off step is stable; a staircase never released is growing.
import type { Classification } from '../../src/types.js';
import { rng } from '../../src/analyze/stats.js';

export interface Trace {
  kind: string;
  label: Classification;
  /** True steady-state rate at the end of the window (MB/min); null where undefined. */
  rate: number | null;
  t_s: number[];
  mb: number[];
  noise: number;
  dt: number;
  /** The process exited at the last reading (the tracker saw it exit): AnalyzeOptions.endsAtExit. */
  endsAtExit?: boolean;
}

/** Seeded PRNG: the analysis's own (mulberry32), so traces and analysis share one definition. */
export const rand = rng;

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());

export interface Shape {
  kind: string;
  label: Classification;
  rate: number | null;
  f: (t: number) => number; // MB at time t, without noise
}

export interface NoiseSpec {
  sigma: number;
  ar?: number; // lag-1 autocorrelation of the noise
  heavy?: boolean; // Student-t-like tails plus rare spikes
  arStep?: number; // seconds per AR step in sampleAt (default 1)
}

/** Sample a shape at interval dt for `n` points, with noise, optional dropped samples and jitter. */
export function sample(shape: Shape, n: number, dt: number, noise: NoiseSpec, seed: number, opts: { drop?: number; jitter?: number } = {}): Trace {
  const r = rand(seed);
  const t_s: number[] = [];
  const mb: number[] = [];
  let e = 0;
  const ar = noise.ar ?? 0;
  for (let i = 0; i < n; i++) {
    let z = gauss(r);
    if (noise.heavy) {
      z = z / Math.sqrt(Math.max(0.05, (gauss(r) ** 2 + gauss(r) ** 2 + gauss(r) ** 2) / 3)); // t(3)-like
      if (r() < 0.01) z += 15 * (r() < 0.5 ? 1 : -1); // rare spikes
    }
    e = ar * e + Math.sqrt(1 - ar * ar) * z * noise.sigma;
    if (opts.drop && r() < opts.drop) continue;
    const t = i * dt + (opts.jitter ? (r() - 0.5) * opts.jitter * dt : 0);
    t_s.push(Math.max(0, t));
    mb.push(shape.f(t) + e);
  }
  return { kind: shape.kind, label: shape.label, rate: shape.rate, t_s, mb, noise: noise.sigma, dt };
}

/** Statistical floor: the shortest window that can show rate r over noise σ at interval dt (z ≈ 2.49). */
export const tStar = (sigma: number, dt: number, rMbPerS: number): number => Math.cbrt((12 * 2.49 ** 2 * sigma ** 2 * dt) / rMbPerS ** 2);

/** The labelled sweep: every kind the issue lists, across intervals, lengths and noise levels. */
export function labelledSweep(seed = 1, perKind = 12): Trace[] {
  const r = rand(seed);
  const out: Trace[] = [];
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  let s = seed * 1000;
  for (let k = 0; k < perKind; k++) {
    const dt = pick([1, 2, 5, 10]);
    const sigma = pick([0.5, 2, 8]);
    const base = 500 + r() * 4000;
    const long = (rate: number, min: number) => Math.max(min, Math.ceil((3 * tStar(sigma, dt, rate / 60)) / dt));
    // flat
    out.push(sample({ kind: 'flat-white', label: 'stable', rate: 0, f: () => base }, pick([100, 300, 600]), dt, { sigma }, ++s));
    out.push(sample({ kind: 'flat-correlated', label: 'stable', rate: 0, f: () => base }, 600, dt, { sigma, ar: 0.8 }, ++s));
    out.push(sample({ kind: 'flat-heavy', label: 'stable', rate: 0, f: () => base }, 400, dt, { sigma, heavy: true }, ++s));
    // linear leaks 1..600 MB/min
    const rate = pick([1, 2, 5, 10, 30, 100, 300, 600]);
    out.push(sample({ kind: 'linear', label: 'growing', rate, f: (t) => base + (rate * t) / 60 }, long(rate, 120), dt, { sigma }, ++s, { drop: r() < 0.3 ? 0.15 : 0, jitter: r() < 0.3 ? 0.3 : 0 }));
    // GC sawtooth, periods 15 s–20 min, amplitudes to 2 GB, ≥ 5 whole cycles
    const period = pick([15, 60, 300, 1200]);
    const amp = pick([50, 300, 2048]);
    const sdt = Math.max(1, Math.min(dt, period / 15));
    out.push(sample({ kind: 'sawtooth', label: 'cycling', rate: 0, f: (t) => base + amp * ((t % period) / period) }, Math.ceil((6 * period) / sdt), sdt, { sigma }, ++s));
    // slow leak under a big sawtooth
    const slow = pick([5, 10, 20]);
    out.push(sample({ kind: 'sawtooth-leak', label: 'growing', rate: slow, f: (t) => base + 500 * ((t % 60) / 60) + (slow * t) / 60 }, Math.ceil((30 * 60) / 2), 2, { sigma }, ++s));
    // warm-up / LRU fill then flat
    const fill = 200 + r() * 800;
    out.push(sample({ kind: 'lru-fill', label: 'plateau', rate: 0, f: (t) => base + fill * Math.min(1, t / (200 * dt)) }, 600, dt, { sigma }, ++s));
    out.push(sample({ kind: 'warmup-exp', label: 'plateau', rate: 0, f: (t) => base + fill * (1 - Math.exp(-t / (60 * dt))) }, 600, dt, { sigma }, ++s));
    // one-off step
    const step = (r() < 0.5 ? 1 : -1) * (50 + r() * 500);
    out.push(sample({ kind: 'step', label: 'stable', rate: 0, f: (t) => base + (t > 250 * dt ? step : 0) }, 500, dt, { sigma }, ++s));
    // staircase: steps never released
    const stepMb = 20 + r() * 100, every = pick([20, 40]) * dt;
    out.push(sample({ kind: 'staircase', label: 'growing', rate: (stepMb / every) * 60, f: (t) => base + stepMb * Math.floor(t / every) }, 600, dt, { sigma }, ++s));
    // leak starting / stopping halfway
    const hr = pick([10, 60, 200]);
    out.push(sample({ kind: 'leak-starts', label: 'growing', rate: hr, f: (t) => base + (hr * Math.max(0, t - 300 * dt)) / 60 }, 600, dt, { sigma }, ++s));
    out.push(sample({ kind: 'leak-stops', label: 'plateau', rate: 0, f: (t) => base + (hr * Math.min(t, 300 * dt)) / 60 }, 600, dt, { sigma }, ++s));
    // decelerating growth that is still clearly growing at the end: sqrt
    const a = 50 + r() * 200;
    const n = 600;
    const endRate = (a / (2 * Math.sqrt(n * dt))) * 60; // d/dt a·√t at the end, MB/min
    out.push(sample({ kind: 'decelerating', label: endRate > 3 ? 'growing' : 'plateau', rate: endRate, f: (t) => base + a * Math.sqrt(t) }, n, dt, { sigma: Math.min(sigma, 2) }, ++s));
    // leak with heavy-tailed noise and spikes
    out.push(sample({ kind: 'linear-heavy', label: 'growing', rate: 60, f: (t) => base + t }, long(60, 200), dt, { sigma, heavy: true }, ++s));
    // too short
    out.push(sample({ kind: 'too-short', label: 'insufficient-data', rate: null, f: (t) => base + t }, 6, dt, { sigma }, ++s));
    out.push(sample({ kind: 'sawtooth-short', label: 'insufficient-data', rate: null, f: (t) => base + 300 * ((t % (100 * dt)) / (100 * dt)) }, 150, dt, { sigma: Math.min(sigma, 2) }, ++s));
  }
  return out;
}

/** Sample a shape at given times (irregular intervals, gaps), with noise as in `sample`. */
export function sampleAt(shape: Shape, times: number[], noise: NoiseSpec, seed: number): Trace {
  const r = rand(seed);
  let e = 0, prev = times[0] ?? 0;
  const ar = noise.ar ?? 0;
  const mb: number[] = [];
  for (const t of times) {
    // AR(1) per second of elapsed time, so irregular intervals wander as a real process does
    const phi = Math.pow(ar, Math.max(t - prev, 0) / (noise.arStep ?? 1));
    e = phi * e + Math.sqrt(1 - phi * phi) * gauss(r) * noise.sigma;
    prev = t;
    mb.push(shape.f(t) + e);
  }
  const dts = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  return { kind: shape.kind, label: shape.label, rate: shape.rate, t_s: times, mb, noise: noise.sigma, dt: dts[dts.length >> 1] ?? 0 };
}

/** Times from 0 to `duration` with intervals drawn uniformly in [lo, hi] seconds. */
export function irregularTimes(duration: number, lo: number, hi: number, seed: number): number[] {
  const r = rand(seed);
  const out = [0];
  while (out[out.length - 1]! < duration) out.push(out[out.length - 1]! + lo + r() * (hi - lo));
  return out;
}

const frac = (x: number) => x - Math.floor(x);
/** Triangle wave 0 → 1 → 0 over one period. */
const tri = (x: number) => 1 - Math.abs(2 * frac(x) - 1);

/**
 * The shapes of issue 10 ("Misses and false alarms"), written from its descriptions: big-drop GC
 * sawtooths over a leak, checkpoint spikes, release at the end, growing peaks, smooth coarse cycles,
 * strongly autocorrelated noise (φ = 0.98), linear growth from t = 0, warm-up then a slower leak, an
 * LRU that fills after a start-up drop. Parameters are drawn per trace from ranges, not tuned.
 */
export function issueSweep(seed = 1, perKind = 6): Trace[] {
  const r = rand(seed);
  const out: Trace[] = [];
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const between = (a: number, b: number) => a + r() * (b - a);
  let s = seed * 7919;
  for (let k = 0; k < perKind; k++) {
    const base = between(300, 6000);
    // a slow leak under a 1 GB sawtooth of period 20 min, recorded 2–12 h
    {
      const rate = between(3, 8), P = 1200, dt = pick([10, 30]), hours = between(2, 12);
      out.push(sample({ kind: 'big-sawtooth-slow-leak', label: 'growing', rate, f: (t) => base + 1024 * frac(t / P) + (rate * t) / 60 }, Math.ceil((hours * 3600) / dt), dt, { sigma: pick([2, 10]) }, ++s));
    }
    // rising troughs at 40–90 MB/min under a 1 GB sawtooth of period 4 min (per-cycle growth 160–360 MB)
    {
      const rate = between(40, 90), P = 240, dt = pick([2, 5]);
      out.push(sample({ kind: 'big-sawtooth-fast-leak', label: 'growing', rate, f: (t) => base + 1024 * frac(t / P) + (rate * t) / 60 }, Math.ceil(between(20, 90) * 60 / dt), dt, { sigma: pick([2, 10]) }, ++s));
    }
    // troughs rising, peaks rising faster (the cycle's amplitude grows too)
    {
      const rate = between(20, 45), extra = between(10, 40), P = pick([120, 300]), dt = 2;
      out.push(sample({ kind: 'sawtooth-growing-peaks', label: 'growing', rate, f: (t) => base + (rate * t) / 60 + (300 + (extra * t) / 60) * frac(t / P) }, Math.ceil(between(30, 60) * 60 / dt), dt, { sigma: 3 }, ++s));
    }
    // flat troughs, growing peaks: cycling, the peaks reported apart
    {
      const extra = between(10, 50), P = pick([120, 300]), dt = 2;
      out.push(sample({ kind: 'flat-troughs-growing-peaks', label: 'cycling', rate: 0, f: (t) => base + (200 + (extra * t) / 60) * frac(t / P) }, Math.ceil(between(30, 60) * 60 / dt), dt, { sigma: 3 }, ++s));
    }
    // checkpoint spikes (+2 GB for 20 s every 10 min) over a 30–120 MB/min leak, sampled every 1–7 s
    {
      const rate = between(30, 120);
      const times = irregularTimes(between(25, 60) * 60, 1, 7, ++s);
      out.push(sampleAt({ kind: 'checkpoint-spikes', label: 'growing', rate, f: (t) => base + (rate * t) / 60 + (t % 600 >= 300 && t % 600 < 320 ? 2048 : 0) }, times, { sigma: pick([2, 8]) }, ++s));
    }
    // a 50–150 MB/min leak released in the last 1–4 samples at the end of a run: the process exited
    // there, as the tracker records it (without that, one fall at the end cannot be told from a
    // cycle's first release: insufficient-data, src/analyze/end-fall.ts)
    {
      const rate = between(50, 150), dt = pick([1, 2, 5]), n = Math.floor(between(150, 600)), tail = 1 + Math.floor(r() * 4);
      const tRel = (n - tail) * dt - dt / 2, freed = ((rate * tRel) / 60) * between(0.5, 1);
      out.push({ ...sample({ kind: 'release-at-end', label: 'growing', rate, f: (t) => base + (rate * Math.min(t, tRel)) / 60 - (t > tRel ? freed : 0) }, n, dt, { sigma: pick([1, 5]) }, ++s), endsAtExit: true });
    }
    // smooth cycles sampled coarsely: 6–15 samples per period, no trend
    {
      const P = pick([120, 180, 300]), per = between(6, 15), dt = P / per, amp = between(100, 400);
      const wave = r() < 0.5 ? (t: number) => amp * tri(t / P) : (t: number) => (amp / 2) * (1 - Math.cos((2 * Math.PI * t) / P));
      out.push(sample({ kind: 'smooth-coarse-cycle', label: 'cycling', rate: 0, f: (t) => base + wave(t) }, Math.ceil((between(8, 30) * P) / dt), dt, { sigma: pick([1, 5]) }, ++s));
    }
    // strongly autocorrelated noise (φ = 0.98 per sample): flat, and a leak clear of it
    {
      const dt = pick([1, 2, 5]), sigma = pick([2, 5]), n = Math.floor(between(600, 2000));
      out.push(sample({ kind: 'flat-ar98', label: 'stable', rate: 0, f: () => base }, n, dt, { sigma, ar: 0.98 }, ++s));
      const rate = between(20, 100);
      out.push(sample({ kind: 'linear-ar98', label: 'growing', rate, f: (t) => base + (rate * t) / 60 }, n, dt, { sigma, ar: 0.98 }, ++s));
    }
    // growth from t = 0 (no knot), few nearly noiseless samples, and a long noisy trainer
    {
      const rate = between(100, 400), dt = pick([1, 2]);
      out.push(sample({ kind: 'psrecord-steady', label: 'growing', rate, f: (t) => base + (rate * t) / 60 }, 30, dt, { sigma: 0.3 }, ++s));
      const slow = between(2, 6);
      out.push(sample({ kind: 'trainer-linear', label: 'growing', rate: slow, f: (t) => base + (slow * t) / 60 }, Math.floor(between(300, 900)), 1, { sigma: 1, ar: 0.7 }, ++s));
    }
    // a fast warm-up, then a slower leak: the rate is the leak's
    {
      const rate = between(5, 30), dt = pick([1, 2, 5]), n = 600, warm = between(0.1, 0.3) * n * dt, fill = between(200, 800);
      out.push(sample({ kind: 'warmup-then-leak', label: 'growing', rate, f: (t) => base + fill * Math.min(1, t / warm) + (rate * t) / 60 }, n, dt, { sigma: 2 }, ++s));
    }
    // an LRU that fills then stays flat, after one start-up drop
    {
      const dt = pick([1, 2, 5]), n = Math.floor(between(300, 900)), up = between(200, 600), fill = between(100, 500);
      const tDrop = between(0.03, 0.1) * n * dt, tFull = tDrop + between(0.2, 0.4) * n * dt;
      const f = (t: number) => (t < tDrop ? base + (up * t) / tDrop : base + (fill * Math.min(t - tDrop, tFull - tDrop)) / (tFull - tDrop));
      out.push(sample({ kind: 'lru-after-drop', label: 'plateau', rate: 0, f }, n, dt, { sigma: 2 }, ++s));
    }
  }
  return out;
}
