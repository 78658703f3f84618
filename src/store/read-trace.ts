// Traces from files: our CSV format (DESIGN.md §2) and psrecord's plain log, loaded into the same
// shape as a recorded session, so the analysis cannot tell where its data came from. Streamed in
// two passes: the first validates every line and takes the exact figures (counts, first/last,
// min/max), the second fills the series, as bucket means on the DB path's grid once a process has
// more than MAX_POINTS_PER_PROCESS samples. Memory no longer grows with the file.
import { inputError } from '../errors.js';
import type { Metric } from '../types.js';
import { MAX_POINTS_PER_PROCESS, type ProcessSeries, type RawFigures, type RecordedSession } from './read-session.js';
import { forEachTraceRow, TRACE_METRICS, type TraceRow } from './trace-rows.js';

/** What the first pass learns about one pid. */
interface PidStats {
  samples: number;
  name: string | undefined;
  raw: Record<Metric, RawFigures>;
}

/** Read a trace file (CSV or psrecord log) as one session. Bad lines are errors naming the line. */
export function readTrace(file: string, maxPointsPerProcess = MAX_POINTS_PER_PROCESS): RecordedSession {
  const stats = new Map<number, PidStats>();
  let t0 = Infinity;
  let t1 = -Infinity;
  let lastT = -Infinity;
  let sorted = true;
  let ticks = 0;
  let firstPid: number | null = null;
  const gaps: number[] = []; // the first process's sampling gaps, for the interval shown
  let prevFirst: number | null = null;
  const first = forEachTraceRow(file, (r) => {
    let s = stats.get(r.pid);
    if (!s) stats.set(r.pid, (s = { samples: 0, name: r.name, raw: emptyFigures() }));
    s.samples++;
    TRACE_METRICS.forEach((m, i) => addFigure(s.raw[m], r.v[i]!));
    if (r.t_ms < t0) t0 = r.t_ms;
    if (r.t_ms > t1) t1 = r.t_ms;
    if (r.t_ms < lastT) sorted = false;
    if (r.t_ms !== lastT) ticks++;
    lastT = r.t_ms;
    firstPid ??= r.pid;
    if (r.pid === firstPid) {
      if (prevFirst !== null && gaps.length < 10_000) gaps.push(r.t_ms - prevFirst);
      prevFirst = r.t_ms;
    }
  });
  // A last line with no newline may be cut mid-number (a log still being written): left out, and said.
  const cut = first.cut ? `trace ${file}: its last line (line ${first.cut.line}, \`${first.cut.text}\`) has no newline (still being written?): left out` : null;
  if (stats.size === 0) throw inputError(`${file} has a header but no samples${first.cut ? ` (its last line, line ${first.cut.line}, has no newline, so it was left out)` : ''}`);
  const most = Math.max(...[...stats.values()].map((s) => s.samples));
  const bucketMs = most > maxPointsPerProcess ? Math.ceil((t1 - t0 + 1) / maxPointsPerProcess) : null;
  const series = new Map<number, ProcessSeries>();
  for (const [pid, s] of stats) {
    const p = emptySeries(pid, s.name ?? (first.format === 'psrecord' ? 'psrecord' : first.hasPid ? `pid ${pid}` : 'trace'));
    // Several pids in one file: the first is the main process, the rest its children.
    p.info.role = series.size === 0 ? 'main' : 'child';
    if (bucketMs !== null) p.raw = s.raw;
    series.set(pid, p);
  }
  // Second pass: no more lines than the first read (a log still being written may have grown).
  if (bucketMs === null) {
    forEachTraceRow(file, (r) => appendRow(series.get(r.pid)!, r.t_ms, r.v), first.lines);
  } else {
    fillBuckets(file, series, t0, bucketMs, first.lines);
  }
  // Ticks: distinct sample times; an unsorted file (one process after another) needs the set.
  if (!sorted) ticks = countDistinctTimes([...series.values()], bucketMs === null);
  gaps.sort((a, b) => a - b);
  return {
    info: {
      id: 0, label: file, started_at: new Date(0).toISOString(), interval_s: gaps.length ? gaps[gaps.length >> 1]! / 1000 : 0,
      source: 'trace', ended_at: null, end_reason: null,
    },
    processes: [...series.values()],
    bucketMs,
    ticks,
    ...(cut ? { notes: [cut] } : {}),
  };
}

/** Bucket means per pid on one grid (t = bucket centre), as read-session's bucketReader does in SQL. */
function fillBuckets(file: string, series: Map<number, ProcessSeries>, t0: number, bucketMs: number, lines: number): void {
  const W = TRACE_METRICS.length + 1;
  // Per pid: bucket index → [sum × W, count × W]. Only buckets a pid has samples in are held.
  const acc = new Map<number, Map<number, Float64Array>>();
  forEachTraceRow(
    file,
    (r: TraceRow) => {
      let m = acc.get(r.pid);
      if (!m) acc.set(r.pid, (m = new Map()));
      const b = Math.floor((r.t_ms - t0) / bucketMs);
      let a = m.get(b);
      if (!a) m.set(b, (a = new Float64Array(2 * W)));
      for (let i = 0; i < W; i++) {
        const v = r.v[i];
        if (v === null || v === undefined) continue;
        a[i] += v;
        a[W + i]! += 1;
      }
    },
    lines,
  );
  for (const [pid, m] of acc) {
    const s = series.get(pid)!;
    for (const b of [...m.keys()].sort((x, y) => x - y)) {
      const a = m.get(b)!;
      const means: (number | null)[] = [];
      for (let i = 0; i < W; i++) means.push(a[W + i]! > 0 ? a[i]! / a[W + i]! : null);
      appendRow(s, t0 + b * bucketMs + bucketMs / 2, means);
    }
  }
}

function appendRow(s: ProcessSeries, t_ms: number, v: (number | null)[]): void {
  s.t_ms.push(t_ms);
  s.rss.push(v[0]!);
  s.uss.push(v[1]!);
  s.pss.push(v[2]!);
  s.swap.push(v[3]!);
  s.vram.push(v[4]!);
  s.cpu.push(v[5]!);
}

function countDistinctTimes(ps: ProcessSeries[], raw: boolean): number {
  if (!raw) return Math.max(...ps.map((p) => p.raw?.rss.samples ?? p.t_ms.length)); // lower bound; rare case
  const set = new Set<number>();
  for (const p of ps) for (const t of p.t_ms) set.add(t);
  return set.size;
}

function emptyFigures(): Record<Metric, RawFigures> {
  const f = {} as Record<Metric, RawFigures>;
  for (const m of TRACE_METRICS) f[m] = { samples: 0, min: null, max: null, first: null, last: null };
  return f;
}

function addFigure(f: RawFigures, v: number | null): void {
  if (v === null) return;
  f.samples++;
  f.first ??= v;
  f.last = v;
  if (f.min === null || v < f.min) f.min = v;
  if (f.max === null || v > f.max) f.max = v;
}

function emptySeries(pid: number, name: string): ProcessSeries {
  return {
    info: { pid, ppid: 0, start_ticks: 0, name, cmdline: name, role: 'main' },
    rowId: pid, t_ms: [], rss: [], uss: [], pss: [], swap: [], vram: [], cpu: [],
  };
}
