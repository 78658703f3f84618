// Benchmark: does the 95 % interval on the leak rate cover the true rate 95 % of the time, under
// noise that wanders (AR(1), φ up to 0.98), and how wide is it next to the interval one would draw
// knowing φ and σ? Against the intervals users otherwise draw: OLS's (independent samples) and OLS's
// inflated by the textbook lag-1 factor √((1+ρ)/(1−ρ)) from the residuals (issue 10's 62 %).
// Run: node dist/bench/analyze-coverage.js [runs per cell = 600]
import { analyzeSeries } from '../src/analyze/index.js';
import { t975 } from '../src/analyze/stats.js';
import { rand, sample } from '../test/helpers/series-generator.js';

const PHIS = [0, 0.5, 0.9, 0.98];
const LENGTHS = [90, 180, 300, 1000];

/** Slope, its iid standard error and the residuals' lag-1 autocorrelation (per second). */
function ols(t: number[], y: number[]): { slope: number; se: number; rho: number; n: number } {
  const n = t.length;
  const mt = t.reduce((a, b) => a + b) / n, my = y.reduce((a, b) => a + b) / n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) (sxx += (t[i]! - mt) ** 2), (sxy += (t[i]! - mt) * (y[i]! - my));
  const slope = sxy / sxx;
  let rss = 0, lag = 0, prev = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i]! - my - slope * (t[i]! - mt);
    rss += r * r;
    if (i) lag += r * prev;
    prev = r;
  }
  return { slope, se: Math.sqrt(rss / (n - 2) / sxx), rho: lag / rss, n };
}

/** The slope's standard error knowing φ and σ exactly: √(u'Σu)·σ/Σu², Σ the AR(1) correlation. */
function oracleSe(t: number[], phi: number, sigma: number): number {
  const n = t.length, mt = t.reduce((a, b) => a + b) / n;
  const u = t.map((x) => x - mt);
  let f = 0, b = 0, quad = 0, suu = 0;
  const fw = new Float64Array(n);
  for (let i = 0; i < n; i++) fw[i] = f = u[i]! + phi * f;
  for (let i = n - 1; i >= 0; i--) {
    b = u[i]! + phi * b;
    quad += u[i]! * (fw[i]! + b - u[i]!);
    suu += u[i]! ** 2;
  }
  return (Math.sqrt(quad) * sigma) / suu;
}

export async function main(runs = 600): Promise<string> {
  const lines: string[] = [];
  lines.push(`Linear leaks (rate 2–200 MB/min, σ 1 or 5 MB, Δt 1, 2 or 5 s), ${runs} runs per cell: share of 95 % intervals that cover the true rate (ours: of those given; n/a where none).`, '');
  lines.push('| φ | n | ours | ours growing (decided) | ours width ÷ known-φ width (median) | OLS | OLS × √((1+ρ)/(1−ρ)) |', '|---|---|---|---|---|---|---|');
  const pooled = new Map<number, [number, number]>();
  for (const phi of PHIS) {
    for (const n of LENGTHS) {
      const r = rand(31 + n + phi * 1000);
      let ours = 0, given = 0, growing = 0, plain = 0, infl = 0;
      const widths: number[] = [];
      for (let i = 0; i < runs; i++) {
        const rate = [2, 10, 50, 200][i % 4]!, sigma = [1, 5][(i >> 2) % 2]!, dt = [1, 2, 5][Math.floor(r() * 3)]!;
        const tr = sample({ kind: 'linear', label: 'growing', rate, f: (x) => 1000 + (rate * x) / 60 }, n, dt, { sigma, ar: phi }, 50_000 + i + n * 1000 + Math.round(phi * 1e6));
        const a = analyzeSeries(tr);
        const ci = a.rate_ci95_mb_per_min;
        if (a.classification === 'growing') growing++;
        if (ci) {
          given++;
          if (ci[0] <= rate && rate <= ci[1]) ours++;
          widths.push((ci[1] - ci[0]) / 2 / (1.96 * oracleSe(tr.t_s, phi, sigma) * 60));
        }
        const o = ols(tr.t_s, tr.mb);
        const h = t975(n - 2) * o.se * 60, err = Math.abs(o.slope * 60 - rate);
        if (err <= h) plain++;
        const rho = Math.max(0, Math.min(0.99, o.rho)); // capped, as the issue describes
        if (err <= h * Math.sqrt((1 + rho) / (1 - rho))) infl++;
      }
      const p = pooled.get(phi) ?? [0, 0];
      pooled.set(phi, [p[0] + ours, p[1] + given]);
      widths.sort((x, y) => x - y);
      const pct = (k: number, of: number) => (of ? `${((100 * k) / of).toFixed(1)} %` : 'n/a');
      lines.push(`| ${phi} | ${n} | ${pct(ours, given)} | ${pct(growing, runs)} | ${widths.length ? widths[widths.length >> 1]!.toFixed(2) : 'n/a'} | ${pct(plain, runs)} | ${pct(infl, runs)} |`);
    }
  }
  lines.push('', `Ours pooled over the lengths: ${[...pooled].map(([phi, [h, k]]) => `φ ${phi} ${((100 * h) / k).toFixed(1)} %`).join(', ')}.`);
  const text = lines.join('\n');
  console.log(text);
  return text;
}

if (import.meta.url === `file://${process.argv[1]}`) await main(Number(process.argv[2] ?? 600));
