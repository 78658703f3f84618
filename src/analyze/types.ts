// The analysis's input and output shapes (consumed by reports, leak-check and the live view).
import type { Classification, Verdict } from '../types.js';

/** Seconds since start and MiB, sorted by time; may have gaps and jitter. */
export interface SeriesInput {
  t_s: ArrayLike<number>;
  mb: ArrayLike<number>;
}

export interface SeriesAnalysis {
  classification: Classification;
  /** Steady-state rate: the slope of the last segment (≈0 for cycling/plateau/stable). Null if insufficient. */
  rate_mb_per_min: number | null;
  rate_ci95_mb_per_min: [number, number] | null;
  /** Fitted baseline to draw under the series (per-cycle troughs for a sawtooth). */
  baseline: { t_s: number[]; mb: number[] } | null;
  model: string;
  explanation: string;
  noise_mb: number;
  period_s: number | null;
  /** For insufficient-data (and undecided rates): how much more recording would let it decide. */
  need_more_s: number | null;
  /** For a sawtooth: how fast its peaks rise (MB/min), apart from the troughs' rate. Absent otherwise. */
  peaks_rate_mb_per_min?: number | null;
  /** When the peaks would reach `limitMb` at that rate (s from the last sample); absent without a limit. */
  peaks_reach_limit_s?: number | null;
  samples: number;
  duration_s: number;
}

export interface AnalyzeOptions {
  /** Practical floor below which growth is not a leak worth reporting (MB/min, default 0.5). */
  floorMbPerMin?: number;
  /** A memory limit (MiB: cgroup, machine) the peaks are projected to. */
  limitMb?: number;
  /**
   * The series' last reading is the process's last before it exited (the tracker saw it exit): a sharp
   * fall in the last readings is its tear-down, and the part before it is judged (end-fall.ts).
   */
  endsAtExit?: boolean;
}

export interface RateCheck {
  verdict: Verdict;
  reason: string;
  more_s: number | null;
}
