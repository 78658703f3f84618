// leak-track's terminal view. On a TTY: a chart of the main process and the tree total redrawn in
// place, with a status line. Elsewhere: a plain status line now and then, never cursor movement.
import { escapeControl } from '../text/escape.js';
import { plotSeries, chartColors } from '../report/chart.js';
import { DecimatingSeries } from '../track/decimating-series.js';
import type { TickSummary } from '../track/sampler.js';
import { analyzeSeries } from '../analyze/index.js';
import { formatDuration, formatMb, MiB } from '../units.js';

export interface LiveViewOptions {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  mode: 'chart' | 'lines' | 'quiet';
  plannedMs: number; // 0 = open-ended
  label: string;
  color: boolean;
}

/** Holds the bounded live series and draws them. */
export class LiveView {
  private readonly main = new DecimatingSeries(512);
  private readonly tree = new DecimatingSeries(512);
  private drawnLines = 0;
  private lastDraw = 0;
  private lastLine = 0;
  private lastRate = 0;
  private rateText = '';
  private ticks = 0;
  private last: TickSummary | null = null;
  private shown = '';
  private shownClass = '';
  private shownMetric = '';
  /** The tree had children at some tick: the report's headline is then the tree row, so the live rate judges the tree too. */
  private hadChildren = false;

  constructor(private readonly o: LiveViewOptions) {}

  /** The heading above the chart (known once the session exists). */
  setLabel(label: string): void {
    this.o.label = escapeControl(label);
  }

  /** Feed one tick; redraws at most a few times a second. */
  update(t: TickSummary): void {
    this.ticks++;
    this.last = t;
    const ts = t.elapsedMs / 1000;
    if (t.mainBytes !== null) this.main.push(ts, t.mainBytes / MiB);
    this.tree.push(ts, t.treeBytes / MiB);
    if (t.processes > 1) this.hadChildren = true;
    // The rate is a full analysis of the live series (arrays of hundreds of KB): it runs only when
    // shown, at most every 2 s, and never under --quiet. Run every few ticks regardless, it was most
    // of the tracker's allocation and a 10 MB sawtooth in its own memory.
    const now = Date.now();
    if (this.o.mode === 'chart' && now - this.lastDraw > 250) {
      this.lastDraw = now;
      if (now - this.lastRate > 2000 || this.ticks < 5) this.refreshRate(now);
      this.redraw();
    } else if (this.o.mode === 'lines' && now - this.lastLine > 60_000) {
      this.lastLine = now;
      this.refreshRate(now);
      this.o.out.write(`${this.statusLine()}\n`);
    }
  }

  /** Print text (a notice, or the launched command's output) above the chart. */
  print(text: string): void {
    if (this.o.mode === 'quiet') return;
    this.erase();
    this.o.out.write(text.endsWith('\n') ? text : `${text}\n`);
    if (this.o.mode === 'chart' && this.last) this.redraw();
  }

  /** Remove the chart before the final summary is printed; later output passes through plainly. */
  finish(): void {
    if (this.o.mode === 'chart') this.erase();
    else if (this.o.mode === 'lines' && this.last) {
      this.refreshRate(Date.now());
      this.o.out.write(`${this.statusLine()}\n`);
    }
    this.last = null; // print() no longer redraws
  }

  private refreshRate(now: number): void {
    this.lastRate = now;
    this.rateText = this.estimateRate();
  }

  /**
   * The rate of the series the report's headline judges, on its metric: the tree total (PSS where read,
   * as the report's tree row) once the target has had children, else the main's USS. Judging the USS
   * sum while the report judged the PSS sum told two stories about one run (issue 21).
   */
  private estimateRate(): string {
    const tree = this.hadChildren;
    const s = tree ? this.tree.snapshot() : this.main.snapshot();
    if (s.t_s.length < 10) return 'collecting…';
    const a = analyzeSeries(s);
    if (a.classification === 'insufficient-data') return 'too early to tell';
    const r = a.rate_mb_per_min ?? 0;
    this.shown = `${r >= 0 ? '+' : ''}${r.toFixed(1)} MB/min, ${a.classification}`;
    this.shownClass = a.classification;
    this.shownMetric = tree ? (this.last?.treeMetric ?? 'pss') : (this.last?.mainMetric ?? 'uss');
    return `${tree ? 'tree' : 'main'} ${this.shown}`;
  }

  /** The last verdict the status line showed, and the metric it was on (null if it never showed one). */
  lastShown(): { text: string; classification: string; metric: string } | null {
    return this.shown && this.shownClass ? { text: this.shown, classification: this.shownClass, metric: this.shownMetric } : null;
  }

  private statusLine(): string {
    const t = this.last;
    if (!t) return this.o.label;
    const planned = this.o.plannedMs > 0 ? ` / ${formatDuration(this.o.plannedMs / 1000)}` : '';
    const main = t.mainBytes !== null ? `main ${formatMb(t.mainBytes / MiB)} ${t.mainMetric.toUpperCase()}` : 'main —';
    const out = t.treeLeftOut > 0 ? ` (${t.treeLeftOut} not read yet)` : '';
    return `${formatDuration(t.elapsedMs / 1000)}${planned} · ${t.tick + 1} samples · ${t.processes} proc · ${main} · tree ${formatMb(t.treeBytes / MiB)} ${t.treeMetric.toUpperCase()}${out} · ${this.rateText}`;
  }

  private redraw(): void {
    const width = Math.max(40, (this.o.out.columns ?? 100) - 2);
    const series = [
      { ...this.tree.snapshot(), color: chartColors.tree },
      { ...this.main.snapshot(), color: chartColors.series },
    ];
    const chart = series[0]!.t_s.length >= 2 ? plotSeries(series, { width: width - 14, height: 10, color: this.o.color, timeAxis: true }) : '';
    const m = this.last ? ` (${this.last.treeMetric.toUpperCase()})` : '';
    const mm = this.last ? this.last.mainMetric.toUpperCase() : 'USS';
    const text = `${this.o.label}\n${chart ? `${chart}\n` : ''}  ${this.o.color ? `\x1b[36mtree total${m}\x1b[0m / main (${mm})` : `tree total${m} / main (${mm})`}\n${this.statusLine()}\n`;
    this.erase();
    this.o.out.write(text);
    this.drawnLines = text.split('\n').length - 1;
  }

  private erase(): void {
    if (this.drawnLines > 0) {
      this.o.out.write(`\x1b[${this.drawnLines}A\x1b[J`);
      this.drawnLines = 0;
    }
  }
}

/**
 * One line where the live status line's last verdict and the report's disagree, saying why (null where
 * they agree). The live line judges the series the report's headline row judges, on the same metric
 * where the tracker had it (the running sum of each member's latest reading as it came in, on the
 * tracker's bounded copy); the report judges after the whole run, the missing readings drawn between
 * readings, each member after its own excursion, release and cycle handling, and the tree against its
 * members (docs/verdicts.md). Both metrics are named: the report may have chosen another (a long-lived
 * child without PSS, --metric).
 */
export function liveVsReport(live: { text: string; classification: string; metric?: string } | null, row: { classification: string | null; rate_mb_per_min: number | null; metric: string; label: string; why: string } | null): string | null {
  if (!live || !row || row.classification === live.classification) return null;
  const rate = row.rate_mb_per_min === null ? '' : ` ${row.rate_mb_per_min >= 0 ? '+' : ''}${row.rate_mb_per_min.toFixed(1)} MB/min`;
  const on = (live.metric ?? 'uss').toUpperCase();
  return (
    `The live line last read ${live.text} (${on} as it came in); the report reads ${row.label} ${row.classification}${rate} ` +
    `on ${row.metric.toUpperCase()}, judged after the whole run: ${row.why}`
  );
}
