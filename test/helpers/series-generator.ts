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
