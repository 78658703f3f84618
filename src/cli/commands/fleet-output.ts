// leak-report's and leak-check's --prometheus: read the fleet back, stream verdicts (--json: one line
// per series as it is judged), then the summary and table, the gate's lines, the HTML. A server that
// fails mid-way: what was judged is printed, then the error (one line, its exit code) is thrown.
import type { CliIo } from '../run.js';
import { EXIT_LEAK, EXIT_OK } from '../../errors.js';
import { runFleet, type FleetOutcome } from '../../fleet/run-fleet.js';
import type { Judged } from '../../fleet/judge-series.js';
import { orderWorstFirst, composeSession } from '../../report/compose-session.js';
import { renderFleetText } from '../../report/fleet-text.js';
import { countsLine, summarise } from '../../report/fleet-summary.js';
import { renderSessionHtml } from '../../report/html/session-html.js';
import { writeHtmlFile } from '../../report/html/write-html.js';
import { escapeControl } from '../../text/escape.js';
import { formatBound } from '../../units.js';
import type { PrometheusArgs } from './prometheus-input.js';
import { terminalWidth } from '../terminal-width.js';

/** Series charted in a fleet's HTML: the worst growing ones; the rest are counted. */
const HTML_CHARTS = 200;
/** leak-check prints every series' line up to this many series; past it, the failing ones only. */
const EVERY_LINE_UP_TO = 100;

export interface FleetOutputOptions {
  bin: 'leak-report' | 'leak-check';
  json: boolean;
  quiet: boolean;
  html: string | null;
  maxRate: number | null;
  strict?: boolean;
  junit?: (judged: Judged[]) => void;
}

/** Run the fleet read and print it; returns the exit code (or throws the server's failure after printing). */
export async function fleetCommand(p: PrometheusArgs, o: FleetOutputOptions, io: CliIo): Promise<number> {
  const say = (l: string) => io.stderr.write(`${o.bin}: ${l}\n`);
  const endMs = p.untilMs ?? Date.now();
  const out: FleetOutcome = await runFleet(
    {
      url: p.url, selector: p.selector, startMs: endMs - p.sinceS * 1000, endMs, stepMs: p.stepS === null ? null : p.stepS * 1000,
      unitBytes: p.unitBytes, maxRate: o.maxRate, timeoutMs: p.timeoutS * 1000, workers: p.workers ?? undefined,
      keepSeriesOf: o.html ? ['growing'] : [],
    },
    (j) => {
      if (o.json) io.stdout.write(`${JSON.stringify({ labels: j.labels, ...j.report })}\n`);
    },
    say,
  );
  const summary = summarise(out.judged);
  if (o.json) {
    io.stdout.write(`${JSON.stringify({ fleet: { selector: p.selector, url: p.url, via: out.via, listed: out.listed, series: summary.series, complete: out.failure === null, counts: summary.counts, failing: summary.failing, growing: summary.growing.flatMap((g) => g.rows.map((r) => r.report.name)), seconds: out.totalMs / 1000, read_seconds: out.readMs / 1000 } })}\n`);
  } else if (!o.quiet && o.bin === 'leak-report') {
    io.stdout.write(renderFleetText({ selector: p.selector, url: p.url, via: out.via, listed: out.listed, judged: out.judged, seconds: out.totalMs / 1000, partial: out.failure !== null, width: terminalWidth(io.stdout, io.env) }));
  } else if (!o.quiet) {
    // Every series' line for a handful; for a fleet, only those that fail (the count line says the rest).
    const all = out.judged.length <= EVERY_LINE_UP_TO;
    for (const j of orderWorstFirst(out.judged)) {
      const v = j.report.verdict;
      if (all || v === 'fail' || (o.strict && v === 'inconclusive')) io.stdout.write(`${escapeControl(j.checkText ?? '')}\n`);
    }
    const n = (v: string) => out.judged.filter((j) => j.report.verdict === v).length;
    io.stdout.write(`${out.judged.length.toLocaleString('en-US')} series (${countsLine(summary)}): ${n('fail')} fail, ${n('pass')} pass, ${n('inconclusive')} inconclusive against --max-rate ${formatBound(o.maxRate)} MB/min\n`);
  }
  if (o.html) writeHtmlFile(o.html, fleetHtml(p, out));
  o.junit?.(out.judged);
  if (out.failure) {
    say(`${out.judged.length} of ${out.listed} series judged before the read stopped (above)`);
    throw out.failure;
  }
  const failed = out.judged.some((j) => j.report.verdict === 'fail' || (o.strict && j.report.verdict === 'inconclusive'));
  return o.bin === 'leak-check' && failed ? EXIT_LEAK : EXIT_OK;
}

/** The fleet's HTML: the worst growing series charted, every class counted in the headline. */
function fleetHtml(p: PrometheusArgs, out: FleetOutcome): string {
  const summary = summarise(out.judged);
  const charted = orderWorstFirst(out.judged.filter((j) => j.row)).slice(0, HTML_CHARTS);
  const rows = charted.map((j) => j.row!);
  const startMs = (p.untilMs ?? Date.now()) - p.sinceS * 1000;
  const report = {
    session: { id: 0, label: p.selector, started_at: new Date(startMs).toISOString(), interval_s: 0, source: 'prometheus' as const, ended_at: null, end_reason: null },
    processes: rows.map((r) => r.report),
  };
  const composed = composeSession(report, rows, { startMs });
  const shown = charted.length < (summary.counts.growing ?? 0) ? ` (the ${charted.length} fastest charted)` : '';
  composed.headline = `${summary.series.toLocaleString('en-US')} series: ${countsLine(summary)}${shown}. ${rows.length ? composed.headline : 'No series is growing.'}`;
  composed.title = `${p.selector} at ${p.url}, read by ${out.via}`;
  return renderSessionHtml(composed);
}
