// leak-track: resolve the target, sample it into SQLite until done, then print the summary.
import type { CliIo, Command } from '../run.js';
import { parseTrackArgs, trackParser, type TrackArgs } from './track-args.js';
import { escapeControl } from '../../text/escape.js';
import { renderHelp, wantsHelp } from '../parse.js';
import { EXIT_LEAK, EXIT_OK, exitCodeForSignal, LeakError } from '../../errors.js';
import { openDbForWrite, type Db } from '../../store/open-db.js';
import { readSession } from '../../store/read-session.js';
import { findMatching, findTrainingCandidates, type Candidate } from '../../track/discover.js';
import { resolveTarget, trackSession, type TrackSessionResult } from '../../track/track-session.js';
import { checkRunnable } from '../../track/launch.js';
import { checkDbPathForWrite } from '../../store/db-files.js';
import { chooseProcessSource } from '../../track/choose-source.js';
import { collectGarbagePeriodically, keepYoungGenerationSmall } from '../../track/quiet-heap.js';
import type { ProcessSource } from '../../track/process-source.js';
import { analyseAndCompose } from '../../report/compose-session.js';
import { renderSessionText } from '../../report/text-report.js';
import { renderSessionJson } from '../../report/json-report.js';
import { renderSessionHtml } from '../../report/html/session-html.js';
import { checkHtmlPath, writeHtmlFile } from '../../report/html/write-html.js';
import { terminalWidth } from '../terminal-width.js';
import { LiveView, liveVsReport } from '../live-view.js';
import { formatDuration, formatMb } from '../../units.js';
import { startExporter, type Exporter } from '../../export/exporter.js';
import { Explainer } from '../../explain/explainer.js';
import { prepareOutDir } from '../../safe-files.js';
import { releaseStopSignals } from '../early-signals.js';

/** The leak-track command. */
export const trackCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(renderHelp(trackParser([])));
    return EXIT_OK;
  }
  const args = parseTrackArgs(argv, io.env);
  // Lines name the target (its comm and cmdline are its owner's text): escaped.
  const say = (line: string) => !args.quiet && io.stderr.write(`leak-track: ${escapeControl(line)}\n`);
  const source = chooseProcessSource(io.env);
  keepYoungGenerationSmall(); // a leak detector must not look like a leak (see quiet-heap.ts)
  const stopGc = collectGarbagePeriodically();
  try {
    if (args.list) {
      const early = releaseStopSignals();
      return early ? earlySignalExit(early, io) : await listCandidates(args, io, source);
    }
    if (args.html) checkHtmlPath(args.html); // before hours of tracking, not after
    if (args.explain?.outDir) args.explain.outDir = prepareOutDir(args.explain.outDir, '--explain-out');
    // A bad --db fails before we launch anything; a target that is not there (no such PID, nothing
    // matches, a command not on PATH) fails before the DB is created: an empty ./leak-track.db left
    // behind made the next leak-report say "no sessions yet" instead of "no database".
    checkDbPathForWrite(args.db);
    if (args.target.kind === 'launch') checkRunnable(args.target.command[0]!);
    else args.target = { kind: 'resolved', target: await resolveTarget(args.target, source) };
    // SIGINT, SIGTERM and SIGHUP all end the run the same way: sampling stops, the session is closed,
    // a launched command gets the signal (then SIGKILL if it lingers), the summary is printed, and the
    // exit code is 128+N. Handlers stay until the summary is out, so a signal during it changes only
    // the exit code. A hung-up terminal makes writes fail (EIO): ignored, the DB is what matters.
    const controller = new AbortController();
    let received: NodeJS.Signals | null = null;
    const onSignal = (sig: NodeJS.Signals) => {
      received ??= sig;
      if (!controller.signal.aborted) controller.abort(sig);
    };
    const ignore = () => {};
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
    // One that came in while the modules loaded or the target was looked for (bin/leak-track.ts holds
    // them): nothing is launched or recorded, no DB is created; one line and 128+N, not a silent death.
    const early = releaseStopSignals();
    if (early) {
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
      return earlySignalExit(early, io);
    }
    let db: Db;
    try {
      db = openDbForWrite(args.db);
    } catch (e) {
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
      throw e;
    }
    io.stderr.on('error', ignore);
    io.stdout.on('error', ignore);
    let code: number;
    try {
      // Bind /metrics (and check --textfile) before touching the target too.
      const exporter = args.prometheus || args.textfile
        ? await startExporter({ listen: args.prometheus, textfileDir: args.textfile, job: args.job, notice: say })
        : null;
      try {
        code = await trackWithDb(args, db, source, io, say, controller.signal, exporter);
      } finally {
        await exporter?.close();
      }
    } finally {
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
      io.stderr.off('error', ignore);
      io.stdout.off('error', ignore);
      db.close();
    }
    const sig = received as NodeJS.Signals | null;
    // After a terminal hangup, Node 20 aborts at exit restoring the dead TTY's modes (SIGABRT, core
    // dump). Dying of the SIGHUP itself, the default action, once all is saved, is what the shell
    // reports as 129 anyway.
    if (sig === 'SIGHUP' && (io.stdout.isTTY || io.stderr.isTTY || process.stdin.isTTY)) process.kill(process.pid, 'SIGHUP');
    return sig ? exitCodeForSignal(sig) : code;
  } finally {
    stopGc();
    source.close();
  }
};

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function earlySignalExit(sig: NodeJS.Signals, io: CliIo): number {
  io.stderr.write(`leak-track: interrupted by ${sig} before it started; nothing was launched or recorded\n`);
  return exitCodeForSignal(sig);
}

async function trackWithDb(
  args: TrackArgs, db: Db, source: ProcessSource, io: CliIo, say: (l: string) => void, signal: AbortSignal, exporter: Exporter | null,
): Promise<number> {
  const mode = args.quiet ? 'quiet' : io.stderr.isTTY ? 'chart' : 'lines';
  const live = new LiveView({
    out: io.stderr, mode, plannedMs: args.durationS * 1000, color: Boolean(io.stderr.isTTY) && !io.env.NO_COLOR, label: '',
  });
  // --explain: profiles a confidently growing process while sampling goes on (src/explain/).
  const explainer = args.explain
    ? new Explainer({
      db, maxPerProcess: args.explain.maxPerProcess, maxRate: args.maxRate, intervalS: args.intervalS, captures: 3,
      captureIntervalS: args.explain.intervalS, outDir: args.explain.outDir, signal, say: (m) => live.print(`leak-track: ${m}`),
    })
    : null;
  let result: TrackSessionResult;
  try {
    result = await trackSession({
      target: args.target,
      intervalS: args.intervalS,
      durationS: args.durationS,
      children: args.children,
      db,
      label: args.label,
      source,
      env: io.env,
      signal,
      onLaunchOutput: mode === 'chart' ? (chunk) => live.print(chunk.replace(/\n$/, '')) : undefined,
      launchStdoutToStderr: args.json,
      keepSampling: () => explainer?.busy ?? false,
      onStart: ({ target, sessionId, nvidiaSmi }) => {
        explainer?.begin(sessionId, Date.now());
        say(target.why);
        const planned = args.durationS > 0 ? `for ${formatDuration(args.durationS)}` : 'until it exits or Ctrl-C';
        say(`sampling every ${args.intervalS} s ${planned}${args.children ? ', children included' : ''}${nvidiaSmi ? ', VRAM via nvidia-smi' : ''}; session ${sessionId} in ${args.db}`);
        live.setLabel(`leak-track ${escapeControl(target.name)} ${target.pid} · session ${sessionId}`);
        if (exporter?.address) say(`serving metrics at ${exporter.url}`);
        if (exporter?.textfile) say(`writing metrics to ${exporter.textfile}`);
      },
      onTick: (t) => {
        exporter?.tick(t.rows);
        live.update(t);
        explainer?.onTick(t);
      },
      onNotice: (m) => live.print(`leak-track: ${escapeControl(m)}`),
      onProgress: (line) => {
        live.finish();
        say(line);
      },
    });
  } finally {
    // A profile under way ends before the report is read (after Ctrl-C: once it has closed everything).
    await explainer?.settle();
    live.finish();
  }

  const recorded = readSession(db, result.sessionId);
  const composed = analyseAndCompose(recorded, { maxRate: args.maxRate });
  if (args.json) io.stdout.write(renderSessionJson(composed));
  else if (!args.quiet) {
    const judged = composed.tree?.row ?? composed.rows.find((r) => r.row.report.role === 'main') ?? null;
    const differs = judged && liveVsReport(live.lastShown(), { ...judged.row.report, label: judged.label, why: judged.row.analysis?.explanation ?? '' });
    if (differs) io.stdout.write(`${escapeControl(differs)}\n\n`);
    io.stdout.write(renderSessionText(composed, { width: terminalWidth(io.stdout, io.env), color: Boolean(io.stdout.isTTY) && !io.env.NO_COLOR, chartHeight: 6 }));
  }
  if (args.html) {
    try {
      writeHtmlFile(args.html, renderSessionHtml(composed));
    } catch (e) {
      // After hours of tracking, say that nothing is lost: the session is in the DB.
      if (!(e instanceof LeakError)) throw e;
      throw new LeakError(e.code, `${e.message}; session ${result.sessionId} is saved: leak-report --db ${args.db} --session ${result.sessionId} --html FILE`, { cause: e });
    }
    say(`HTML report written to ${args.html}`);
  }
  const failed = composed.rows.some((r) => r.row.check?.verdict === 'fail') || Boolean(composed.folded?.rows.some((r) => r.row.check?.verdict === 'fail'));
  if (result.signal) return exitCodeForSignal(result.signal);
  if (result.childCode !== null && result.childCode > 0) return result.childCode;
  return failed ? EXIT_LEAK : EXIT_OK;
}

async function listCandidates(args: TrackArgs, io: CliIo, source: ProcessSource): Promise<number> {
  const found: Candidate[] = args.target.kind === 'match' ? await findMatching(args.target.pattern, source) : await findTrainingCandidates(source);
  if (found.length === 0) {
    io.stderr.write('leak-track: no candidates found\n');
    return 3;
  }
  const pids = new Set(found.map((c) => c.pid));
  found.sort((a, b) => b.treeRssBytes - a.treeRssBytes);
  io.stdout.write(`${'PID'.padStart(7)}  ${'TREE RSS'.padStart(9)}  PROCS  WHY${' '.repeat(34)}COMMAND\n`);
  for (const c of found) {
    const mark = pids.has(c.ppid) ? '  └' : '';
    io.stdout.write(
      `${String(c.pid).padStart(7)}  ${formatMb(c.treeRssBytes / 1048576).padStart(9)}  ${String(c.treeSize).padStart(5)}  ${escapeControl(c.why).padEnd(36).slice(0, 36)} ${mark}${escapeControl(c.cmdline).slice(0, 100)}\n`,
    );
  }
  return EXIT_OK;
}
