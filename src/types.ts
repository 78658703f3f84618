// Types that cross stage boundaries (track → store → analyze → report; capture → diff → report).
// Everything else lives beside the code that owns it.
import type { Budget } from './profile/budget/types.js';
import type { TrimResult } from './profile/budget/trim-verdict.js';
import type { NativeSites } from './profile/native/trace-native.js';

/** A memory series the tracker records and the analysis reads. */
export type Metric = 'rss' | 'uss' | 'pss' | 'swap' | 'vram';

export type Role = 'main' | 'child' | 'tree';

export type Classification = 'growing' | 'cycling' | 'plateau' | 'stable' | 'insufficient-data';

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** One reading of one process at one moment. Sizes in bytes; null where not measured this tick. */
export interface Sample {
  t_ms: number; // wall-clock epoch milliseconds
  rss: number | null;
  uss: number | null;
  pss: number | null;
  swap: number | null;
  vram: number | null;
  cpu: number | null; // percent of one core
}

/** A process as the store knows it: a (pid, start time) pair, so a reused PID is a new process. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  start_ticks: number; // field 22 of /proc/PID/stat; 0 where unknown (traces)
  name: string;
  cmdline: string;
  role: Role;
}

/** Session metadata as printed in the Report JSON. */
export interface SessionInfo {
  id: number;
  label: string;
  started_at: string; // ISO 8601, UTC
  interval_s: number;
  source: 'track' | 'trace' | 'prometheus';
  ended_at?: string | null;
  end_reason?: string | null;
  /** The memory limit the target ran under (MiB) and where it comes from ('machine', 'cgroup /path'). */
  mem_limit_mb?: number;
  mem_limit_source?: string;
}

/** One row of the Report JSON (DESIGN.md §2). Analysis fields are null when not computed. */
export interface ProcessReport {
  pid: number;
  name: string;
  cmdline: string;
  role: Role;
  metric: Metric;
  samples: number;
  duration_s: number;
  first_mb: number | null;
  last_mb: number | null;
  min_mb: number | null;
  max_mb: number | null;
  rate_mb_per_min: number | null;
  rate_ci95_mb_per_min: [number, number] | null;
  classification: Classification | null;
  verdict?: Verdict;
  /** A sawtooth's peaks: how fast they rise (MB/min), and when they reach the session's memory limit (s). */
  peaks_rate_mb_per_min?: number;
  peaks_reach_limit_s?: number;
  /** A growing row: when it reaches the session's memory limit at this rate (s after its last sample). */
  reach_limit_s?: number;
  /** Where USS cannot decide but RSS, which wanders far less, can: what RSS reads (the verdict stays on USS). */
  rss_reading?: { classification: Classification; rate_mb_per_min: number; rate_ci95_mb_per_min: [number, number] | null };
  /** Samples the fit left out because a profile (leak-track --explain) paused or inflated the process then. */
  profile_samples_left_out?: number;
  /** Where the metric was read only every k-th tick (a giant process) and carried between readings by RSS: how many ticks of each. */
  carried_by_rss?: { read: number; carried: number };
  /** Tree row only, where private memory grew by pages being un-shared (see src/report/tree-notes.ts). */
  copy_on_write?: CopyOnWrite;
}

/** Children too short-lived to chart or gate one by one, summarised together (they stay in the tree sum). */
export interface ShortLivedSummary {
  count: number;
  /** Process name → how many. */
  names: Record<string, number>;
  pids: number[]; // the first 20
  max_samples: number;
  max_lifetime_s: number;
  /** Largest single reading among them, on the tree row's metric (null where none was read). */
  max_mb: number | null;
  metric: Metric;
  /** How many had no reading of that metric (exited before it was read) and so are not in the tree sum. */
  not_in_tree: number;
}

/** Private memory growing because pages shared since fork are being copied (copy-on-write). */
export interface CopyOnWrite {
  uss_growth_mb: number; // growth of the summed USS over the session
  pss_growth_mb: number; // growth of the summed PSS: the real new memory
  rss_growth_mb: number;
  unshared_mb: number; // uss − pss growth: what the USS sum overstates
  /** Children whose private memory grew more than their resident memory: they copy inherited pages. */
  copying: { pid: number; name: string; uss_growth_mb: number }[];
  /** Processes whose USS grew though their RSS did not, because the others stopped sharing their pages. */
  unshared_by_others: { pid: number; name: string; uss_growth_mb: number }[];
}

export interface SessionReport {
  session: SessionInfo;
  processes: ProcessReport[];
  /** Present when some children lived too briefly to report one by one. */
  short_lived?: ShortLivedSummary;
  /** leak-track --explain: the profiles taken while tracking, each with its closing paragraph. */
  explain?: ExplainReport[];
}

/** One profile taken by leak-track --explain (Report JSON `explain[]`, DESIGN.md §2). */
export interface ExplainReport {
  pid: number;
  name: string;
  role: Role;
  runtime: string | null;
  status: 'running' | 'done' | 'failed' | 'interrupted';
  started_at: string; // ISO 8601, UTC
  ended_at: string | null;
  /** The growth that started it (MB/min and its 95 % interval). */
  trigger: { rate_mb_per_min: number; rate_ci95_mb_per_min: [number, number] } | null;
  /** When the profile paused or inflated the target, seconds since the session's first sample. */
  windows: { start_s: number; end_s: number; kind: 'paused' | 'inflated' }[];
  /** Why it failed or was interrupted, or what it warned; null when all went well. */
  message: string | null;
  /** The verdict and what is inside, one paragraph. */
  paragraph: string;
  /** The top grower and its holder in a few words (the FAIL line's "inside:"); null when none. */
  top_holder: string | null;
  profile: ProfileReport | null;
}

/** Per-type totals in one heap snapshot or Python census. */
export interface TypeStat {
  count: number;
  bytes: number;
}

/** A runtime-neutral census: what the diff consumes, whether it came from V8 or CPython. */
export interface Census {
  t_s: number; // seconds since the first census
  file: string | null; // artifact it was read from
  objects: number;
  bytes: number;
  types: Map<string, TypeStat>;
  /** Optional: a holder description per type, from the runtime's retainer analysis. */
  retainers?: Map<string, string>;
  /** Seconds the target was paused to take it, where measured. */
  pause_s?: number;
}

/** Profile JSON (DESIGN.md §2). */
export interface GrowingType {
  type: string;
  counts: number[];
  bytes: number[];
  count_delta: number;
  bytes_delta: number;
  bytes_per_min: number | null;
  retainer_path: string | null;
  retainer_share?: number | null; // fraction of new instances under that holder
  /** What keeps it, in words, where the runtime can tell (a Python tensor kept with its autograd graph). */
  note?: string | null;
  /** Node: bytes the new instances retain (dominator tree), what growers are ranked by. */
  retained_bytes?: number | null;
  retained_bytes_per_min?: number | null;
  /** Node: this type is another grower's internals (e.g. Float64Array under PrefetchedBatch). */
  folded_into?: string | null;
  /** Node: new instances grouped by holder path, biggest first. */
  clusters?: LeakCluster[];
}

/** Device (GPU) memory seen by the census, apart from the host bytes of the type rows. */
export interface DeviceSeries {
  name: string; // 'CUDA tensors', 'torch.cuda.memory_allocated', 'torch.cuda.memory_reserved'
  bytes: number[]; // one per census
  bytes_per_min: number | null;
}

/** A group of new objects with one holder path (counts scaled from a sample where large). */
export interface LeakCluster {
  path: string;
  count: number;
  retained_bytes: number;
  share: number;
}

export interface ProfileReport {
  target: { pid: number | null; runtime: 'node' | 'python' | 'snapshot' };
  snapshots: { t_s: number; file: string | null; objects: number; bytes: number; pause_s?: number | null }[];
  growing: GrowingType[];
  warnings?: string[];
  /** Python targets using CUDA: device memory per census (not part of the host bytes above). */
  device?: DeviceSeries[];
  /** Node: where the times between snapshots come from ('unknown': no rates). */
  timing?: 'measured' | 'snapshot' | 'interval' | 'unknown';
  /** Live targets: the USS growth over the window split into what explains it (src/profile/budget/). */
  budget?: Budget;
  /** Live targets, --trim: what gc.collect() + malloc_trim(0) gave back at the end. */
  trim?: TrimResult;
  /** Live targets, --native-sites: C allocations made in the window and not freed, by call site (bpftrace). */
  native_sites?: NativeSites;
}
