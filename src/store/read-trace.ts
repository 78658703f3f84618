// Traces from files: our CSV format (DESIGN.md §2) and psrecord's plain log. Loaded into the same
// shape as a recorded session, so the analysis cannot tell where its data came from.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { inputError, notFoundError } from '../errors.js';
import { MiB } from '../units.js';
import type { ProcessSeries, RecordedSession } from './read-session.js';

const METRIC_COLUMNS = ['rss_bytes', 'uss_bytes', 'pss_bytes', 'swap_bytes', 'vram_bytes'] as const;
const PSRECORD_HEADER = /^#\s*Elapsed time\s+CPU \(%\)\s+Real \(MB\)\s+Virtual \(MB\)/;

/** Read a trace file (CSV or psrecord log) as one session. Bad lines are errors naming the line. */
export function readTrace(file: string): RecordedSession {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFoundError(`no trace file at ${file}`);
    throw inputError(`cannot read trace ${file}: ${code ?? (e as Error).message}`, e);
  }
  const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
  const processes = PSRECORD_HEADER.test(firstLine) ? parsePsrecord(text, file) : parseCsv(text, file);
  const interval = medianInterval(processes);
  return {
    info: { id: 0, label: file, started_at: new Date(0).toISOString(), interval_s: interval, source: 'trace', ended_at: null, end_reason: null },
    processes,
    bucketMs: null,
    ticks: new Set(processes.flatMap((p) => p.t_ms)).size,
  };
}

function emptySeries(pid: number, name: string): ProcessSeries {
  return {
    info: { pid, ppid: 0, start_ticks: 0, name, cmdline: name, role: 'main' },
    rowId: pid, t_ms: [], rss: [], uss: [], pss: [], swap: [], vram: [], cpu: [],
  };
}

function parseCsv(text: string, file: string): ProcessSeries[] {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw inputError(`${file}: line ${err.lines ?? '?'}: ${err.message.replace(/^Invalid Record Length: /, '')}`, e);
  }
  if (rows.length === 0) throw inputError(`${file} is empty; expected a header such as t_s,uss_bytes`);
  const header = rows[0]!.map((h) => h.toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const tCol = col('t_s');
  const metricCols = METRIC_COLUMNS.map((m) => [m, col(m)] as const).filter(([, i]) => i >= 0);
  if (tCol < 0 || metricCols.length === 0) {
    throw inputError(
      `${file}: line 1: header must have t_s and at least one of ${METRIC_COLUMNS.join(', ')}; got \`${rows[0]!.join(',')}\``,
    );
  }
  const pidCol = col('pid');
  const byPid = new Map<number, ProcessSeries>();
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    const line = i + 1;
    const num = (idx: number, what: string, allowEmpty: boolean): number | null => {
      const v = row[idx] ?? '';
      if (v === '' && allowEmpty) return null;
      const n = Number(v);
      if (v === '' || !Number.isFinite(n) || n < 0) throw inputError(`${file}: line ${line}: ${what} must be a non-negative number, got \`${v}\``);
      return n;
    };
    const t = num(tCol, 't_s', false)!;
    const pid = pidCol >= 0 ? num(pidCol, 'pid', false)! : 0;
    let s = byPid.get(pid);
    if (!s) byPid.set(pid, (s = emptySeries(pid, pidCol >= 0 ? `pid ${pid}` : 'trace')));
    const prev = s.t_ms[s.t_ms.length - 1];
    if (prev !== undefined && t * 1000 < prev) throw inputError(`${file}: line ${line}: t_s goes backwards (${t} after ${prev / 1000})`);
    s.t_ms.push(t * 1000);
    const values: Record<string, number | null> = {};
    for (const [m, idx] of metricCols) values[m] = num(idx, m, true);
    s.rss.push(values.rss_bytes ?? null);
    s.uss.push(values.uss_bytes ?? null);
    s.pss.push(values.pss_bytes ?? null);
    s.swap.push(values.swap_bytes ?? null);
    s.vram.push(values.vram_bytes ?? null);
    s.cpu.push(null);
  }
  if (byPid.size === 0) throw inputError(`${file} has a header but no samples`);
  const list = [...byPid.values()];
  // Several pids in one file: the first is the main process, the rest its children.
  list.forEach((s, i) => (s.info.role = i === 0 ? 'main' : 'child'));
  return list;
}

function parsePsrecord(text: string, file: string): ProcessSeries[] {
  const s = emptySeries(0, 'psrecord');
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const parts = line.split(/\s+/).map(Number);
    if (parts.length < 4 || parts.some((n) => !Number.isFinite(n))) {
      throw inputError(`${file}: line ${i + 1}: expected 4 numbers (elapsed, CPU %, Real MB, Virtual MB), got \`${line}\``);
    }
    s.t_ms.push(parts[0]! * 1000);
    s.cpu.push(parts[1]!);
    s.rss.push(Math.round(parts[2]! * MiB));
    s.uss.push(null);
    s.pss.push(null);
    s.swap.push(null);
    s.vram.push(null);
  }
  if (s.t_ms.length === 0) throw inputError(`${file} is a psrecord log with no samples`);
  return [s];
}

function medianInterval(ps: ProcessSeries[]): number {
  const t = ps[0]!.t_ms;
  const d: number[] = [];
  for (let i = 1; i < t.length; i++) d.push(t[i]! - t[i - 1]!);
  d.sort((a, b) => a - b);
  return d.length ? d[d.length >> 1]! / 1000 : 0;
}
