// The leak rules a user would otherwise apply, written from their published descriptions, so the
// bench can run them on the same labelled traces as our classifier. Each returns "leak?" and a rate.

export interface BaselineVerdict {
  leak: boolean;
  rate: number | null; // MB/min
}

function ols(t: ArrayLike<number>, y: ArrayLike<number>, from = 0): { slope: number; tStat: number; r2: number } {
  const n = t.length - from;
  let mt = 0, my = 0;
  for (let i = from; i < t.length; i++) (mt += t[i]!), (my += y[i]!);
  mt /= n;
  my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = from; i < t.length; i++) {
    sxx += (t[i]! - mt) ** 2;
    sxy += (t[i]! - mt) * (y[i]! - my);
    syy += (y[i]! - my) ** 2;
  }
  const slope = sxy / sxx;
  const rss = Math.max(syy - slope * sxy, 0);
  const se = Math.sqrt(rss / Math.max(n - 2, 1) / sxx);
  return { slope, tStat: se > 0 ? slope / se : Infinity, r2: syy > 0 ? 1 - rss / syy : 0 };
}

/** Ordinary least squares, slope > 0 with p < 0.05. */
export function olsRule(t: ArrayLike<number>, y: ArrayLike<number>): BaselineVerdict {
  const f = ols(t, y);
  return { leak: f.slope > 0 && f.tStat > 1.96, rate: f.slope * 60 };
}

/** Mann–Kendall trend test (p < 0.05) with Sen's slope (both on ≤ 500 evenly picked points). */
export function mannKendallRule(t: ArrayLike<number>, y: ArrayLike<number>): BaselineVerdict {
  const step = Math.max(1, Math.ceil(t.length / 500));
  const tt: number[] = [], yy: number[] = [];
  for (let i = 0; i < t.length; i += step) tt.push(t[i]!), yy.push(y[i]!);
  const n = tt.length;
  let s = 0;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    s += Math.sign(yy[j]! - yy[i]!);
    slopes.push((yy[j]! - yy[i]!) / (tt[j]! - tt[i]!));
  }
  const v = (n * (n - 1) * (2 * n + 5)) / 18;
  const z = s > 0 ? (s - 1) / Math.sqrt(v) : s < 0 ? (s + 1) / Math.sqrt(v) : 0;
  slopes.sort((a, b) => a - b);
  return { leak: z > 1.96, rate: slopes[slopes.length >> 1]! * 60 };
}

/** Precog: R² > 0.8 on the last segment (the last half here), rising. */
export function precogRule(t: ArrayLike<number>, y: ArrayLike<number>): BaselineVerdict {
  const f = ols(t, y, Math.floor(t.length / 2));
  return { leak: f.slope > 0 && f.r2 > 0.8, rate: f.slope * 60 };
}

/** node-memwatch: 5 consecutive rises of the post-GC baseline (local minima of the series). */
export function memwatchRule(t: ArrayLike<number>, y: ArrayLike<number>): BaselineVerdict {
  const minima: number[] = [];
  for (let i = 1; i < y.length - 1; i++) if (y[i]! < y[i - 1]! && y[i]! <= y[i + 1]!) minima.push(y[i]!);
  let run = 0;
  for (let i = 1; i < minima.length; i++) {
    run = minima[i]! > minima[i - 1]! ? run + 1 : 0;
    if (run >= 5) return { leak: true, rate: ols(t, y).slope * 60 };
  }
  return { leak: false, rate: null };
}

/** Coroot: OLS slope above 10 MB per hour. */
export function corootRule(t: ArrayLike<number>, y: ArrayLike<number>): BaselineVerdict {
  const f = ols(t, y);
  return { leak: f.slope * 3600 > 10, rate: f.slope * 60 };
}

/** The field note's script: min of the last 10 samples > min of the first 10 + 100 MB; rate over the whole run. */
export function seedScriptRule(t: ArrayLike<number>, y: ArrayLike<number>): BaselineVerdict {
  const n = y.length;
  if (n < 20) return { leak: false, rate: null };
  let a = Infinity, b = Infinity;
  for (let i = 0; i < 10; i++) (a = Math.min(a, y[i]!)), (b = Math.min(b, y[n - 1 - i]!));
  const dur = (t[n - 1]! - t[0]!) / 60;
  return { leak: b > a + 100, rate: (b - a) / dur };
}

export const BASELINES = {
  'OLS p<0.05': olsRule,
  'Mann–Kendall + Sen': mannKendallRule,
  'Precog (R²>0.8, last segment)': precogRule,
  'memwatch (5 post-GC rises)': memwatchRule,
  'Coroot (>10 MB/h)': corootRule,
  'seed script (min +100 MB)': seedScriptRule,
};
