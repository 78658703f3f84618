// leak-track: resolve the target, sample it into SQLite until done, then print the summary.
import type { CliIo, Command } from '../run.js';
import { parseTrackArgs, TRACK_USAGE, type TrackArgs } from './track-args.js';
import { wantsHelp } from '../parse.js';
import { EXIT_INTERRUPTED, EXIT_LEAK, EXIT_OK } from '../../errors.js';
import { openDbForWrite, type Db } from '../../store/open-db.js';
import { SessionWriter } from '../../store/session-writer.js';
import { readSession } from '../../store/read-session.js';
import { findMatching, findTrainingCandidates, pickTarget, targetFromPid, type Candidate, type Target } from '../../track/discover.js';
import { launchCommand, type Launched } from '../../track/launch.js';
import { runSampler, type EndReason } from '../../track/sampler.js';
import { findNvidiaSmi } from '../../track/nvidia-smi.js';
import { chooseProcessSource } from '../../track/choose-source.js';
import { collectGarbagePeriodically, keepYoungGenerationSmall } from '../../track/quiet-heap.js';
import type { ProcessSource } from '../../track/process-source.js';
import { analyseAndCompose } from '../../report/compose-session.js';
import { renderSessionText } from '../../report/text-report.js';
import { renderSessionJson } from '../../report/json-report.js';
import { renderSessionHtml } from '../../report/html/session-html.js';
import { checkHtmlPath, writeHtmlFile } from '../../report/html/write-html.js';
import { terminalWidth } from '../terminal-width.js';
import { LiveView } from '../live-view.js';
import { formatDuration, formatMb } from '../../units.js';

/** The leak-track command. */
export const trackCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(`${TRACK_USAGE}\n`);
    return EXIT_OK;
  }
  const args = parseTrackArgs(argv, io.env);
  const say = (line: string) => !args.quiet && io.stderr.write(`leak-track: ${line}\n`);
  const source = chooseProcessSource(io.env);
  keepYoungGenerationSmall(); // a leak detector must not look like a leak (see quiet-heap.ts)
  const stopGc = collectGarbagePeriodically();
  try {
    if (args.list) return await listCandidates(args, io, source);
    if (args.html) checkHtmlPath(args.html); // before hours of tracking, not after
    // Open the DB before touching the target: a bad --db must fail before we launch anything.
    const db = openDbForWrite(args.db);
    try {
      return await trackWithDb(args, db, source, io, say);
    } finally {
      db.close();
    }
  } finally {
    stopGc();
    source.close();
  }
};

async function trackWithDb(args: TrackArgs, db: Db, source: ProcessSource, io: CliIo, say: (l: string) => void): Promise<number> {
  const mode = args.quiet ? 'quiet' : io.stderr.isTTY ? 'chart' : 'lines';
  const live = new LiveView({
    out: io.stderr, mode, plannedMs: args.durationS * 1000, color: Boolean(io.stderr.isTTY) && !io.env.NO_COLOR, label: '',
  });
  let launched: Launched | null = null;
  let target: Target;
  if (args.target.kind === 'launch') {
    launched = await launchCommand(args.target.command, source, mode === 'chart', (chunk) => live.print(chunk.replace(/\n$/, '')));
    target = launched.target;
  } else {
    target = await resolveTarget(args, source);
  }
  say(target.why);
  const nvidiaSmi = findNvidiaSmi(io.env);
  const writer = new SessionWriter(db, {
    label: args.label ?? `${target.name} ${target.pid}`,
    interval_s: args.intervalS,
    target: target.cmdline || target.name,
  });
  const planned = args.durationS > 0 ? `for ${formatDuration(args.durationS)}` : 'until it exits or Ctrl-C';
  say(`sampling every ${args.intervalS} s ${planned}${args.children ? ', children included' : ''}${nvidiaSmi ? ', VRAM via nvidia-smi' : ''}; session ${writer.sessionId} in ${args.db}`);
  live.setLabel(`leak-track ${target.name} ${target.pid} · session ${writer.sessionId}`);

  const controller = new AbortController();
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted ??= sig;
    if (launched && !launched.hasExited()) launched.child.kill(sig);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let reason: EndReason;
  try {
    reason = await runSampler({
      root: { pid: target.pid, startTicks: target.startTicks },
      intervalMs: args.intervalS * 1000,
      durationMs: args.durationS * 1000,
      children: args.children,
      signal: controller.signal,
      writer,
      source,
      nvidiaSmi,
      onTick: (t) => live.update(t),
      onNotice: (m) => live.print(`leak-track: ${m}`),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    live.finish();
  }
  const endReason = interrupted ? (interrupted === 'SIGINT' ? 'interrupted' : 'terminated') : reason;
  writer.end(endReason);
  let childCode: number | null = null;
  if (launched) {
    if (reason === 'duration' && !launched.hasExited()) {
      // Tracking is what we were asked to do; a launched job left behind would be orphaned with
      // nowhere to write. Stop it like Ctrl-C would, then harder if it does not listen.
      say(`duration reached; stopping ${target.name} ${target.pid}, which leak-track launched (use --duration 0 to track it until it exits)`);
      launched.child.kill('SIGTERM');
      const stopped = await Promise.race([launched.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      if (!stopped) launched.child.kill('SIGKILL');
    } else {
      childCode = await Promise.race([launched.exited, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
    }
  }
  if (reason === 'target-exited') say(`${target.name} ${target.pid} exited${childCode !== null && childCode >= 0 ? ` with status ${childCode}` : ''}`);

  const recorded = readSession(db, writer.sessionId);
  const composed = analyseAndCompose(recorded, { maxRate: args.maxRate });
  if (args.json) io.stdout.write(renderSessionJson(composed));
  else if (!args.quiet) {
    io.stdout.write(renderSessionText(composed, { width: terminalWidth(io.stdout, io.env), color: Boolean(io.stdout.isTTY) && !io.env.NO_COLOR, chartHeight: 6 }));
  }
  if (args.html) {
    writeHtmlFile(args.html, renderSessionHtml(composed));
    say(`HTML report written to ${args.html}`);
  }
  const failed = composed.rows.some((r) => r.row.check?.verdict === 'fail') || Boolean(composed.folded?.rows.some((r) => r.row.check?.verdict === 'fail'));
  if (interrupted === 'SIGINT') return EXIT_INTERRUPTED;
  if (childCode !== null && childCode > 0) return childCode;
  return failed ? EXIT_LEAK : EXIT_OK;
}

async function resolveTarget(args: TrackArgs, source: ProcessSource): Promise<Target> {
  const t = args.target;
  if (t.kind === 'pid') return targetFromPid(t.pid, source);
  if (t.kind === 'match') return (await pickTarget(await findMatching(t.pattern, source), `no running process's command line matches /${t.pattern}/`, source)).target;
  const picked = await pickTarget(
    await findTrainingCandidates(source),
    'no training process found (looked for python …train*.py, torchrun, accelerate launch, deepspeed, -m torch.distributed.run, lightning, trl/axolotl/llamafactory, model-garden serve, node …train…); pass a PID or --match REGEX',
    source,
  );
  return picked.target;
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
      `${String(c.pid).padStart(7)}  ${formatMb(c.treeRssBytes / 1048576).padStart(9)}  ${String(c.treeSize).padStart(5)}  ${c.why.padEnd(36).slice(0, 36)} ${mark}${c.cmdline.slice(0, 100)}\n`,
    );
  }
  return EXIT_OK;
}
