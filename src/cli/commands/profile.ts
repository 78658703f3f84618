// leak-profile: what accumulates inside a live Node or Python process, or across snapshot files.
import type { CliIo, Command } from '../run.js';
import { releaseStopSignals } from '../early-signals.js';
import { escapeControl, escapeDeep } from '../../text/escape.js';
import { renderHelp, strictParser, wantsHelp } from '../parse.js';
import { EXIT_OK, exitCodeForSignal, usageError } from '../../errors.js';
import { prepareOutDir } from '../../safe-files.js';
import { abortSignalName, Interrupted } from '../../profile/interrupted.js';
import { parseDuration } from '../../units.js';
import { analyzeSnapshotsInParallel } from '../../profile/node/analyze-snapshots.js';
import { renderProfileText } from '../../report/profile-text.js';
import { renderProfileHtml } from '../../report/html/profile-html.js';
import { checkHtmlPath, writeHtmlFile } from '../../report/html/write-html.js';
import type { ProfileReport } from '../../types.js';

const PROFILE_HELP = {
  usage: `Usage:
  leak-profile [--pid] PID [--snapshots 3] [--interval 30] [--top 20] [--json] [--html FILE]
    [--out DIR] [--force] [--quiet] [--trim] [--native-sites]
  leak-profile --snapshot A.heapsnapshot B.heapsnapshot [C.heapsnapshot ...] [--interval S] [--json]
    [--html FILE]

Node targets: heap snapshots through the inspector (opened with SIGUSR1, closed again afterwards).
Python targets: live object censuses injected with gdb (see README). Reports the types that grew
in every interval, ranked by bytes grown (Node: by the bytes their new objects retain), with who
holds them.
Live targets: the first line splits the USS growth into objects, allocator free space and
native memory (docs/budget.md). --trim runs gc.collect() and malloc_trim(0) in a Python target
at the last census (it CHANGES the target's memory) and says fragmentation or live memory.
--native-sites follows malloc and free with bpftrace between the first and last capture (root)
and names who did not free; malloc/free run 10-150x slower meanwhile (before bpftrace 0.20: in
every process using the same libc).
Offline snapshots are ordered by their V8 object ids; --interval states the time between them (rates
are left out without it: file times are not trusted).`,
  examples: [
    ['leak-profile --pid 4242', 'three captures 30 s apart of a live Node or Python process'],
    ['leak-profile --pid 4242 --snapshots 4 --interval 60 --out ./caps --json', 'keep the captures; Profile JSON on stdout'],
    ['leak-profile --snapshot a.heapsnapshot b.heapsnapshot c.heapsnapshot', 'diff V8 heap snapshots offline'],
  ] as [string, string][],
};

/** leak-profile's options, with their descriptions and defaults (what --help and completion show). */
export function profileParser(argv: string[]) {
  return strictParser(argv, 'leak-profile', PROFILE_HELP)
    .parserConfiguration({ 'parse-numbers': false })
    .option('pid', { type: 'string', describe: 'the live Node or CPython process to profile' })
    .option('snapshot', { type: 'array', string: true, describe: 'heap snapshot files to diff offline (oldest first)' })
    .option('snapshots', { type: 'string', default: '3', describe: 'captures to take (≥ 2)' })
    .option('interval', { type: 'string', describe: 'time between captures (offline: between the snapshots); a bare number is seconds', defaultDescription: '30 (live); offline: unknown, no rates' })
    .option('top', { type: 'string', default: '20', describe: 'how many growing types to report' })
    .option('json', { type: 'boolean', default: false, describe: 'print Profile JSON on stdout' })
    .option('out', { type: 'string', describe: 'keep the captures in DIR', defaultDescription: 'a private temp dir, removed' })
    .option('force', { type: 'boolean', default: false, describe: 'capture even where the headroom check fears the OOM killer' })
    .option('mode', { type: 'string', default: 'auto', describe: 'Python census depth: auto, full or cheap (auto picks by object count)' })
    .option('timeout', { type: 'string', default: '60', describe: 'Python: seconds to wait for the target to reach a safe point' })
    .option('html', { type: 'string', describe: 'also write a self-contained HTML report (sparklines, holder paths)' })
    .option('trim', { type: 'boolean', default: false, describe: 'Python: gc.collect + malloc_trim(0) in it (CHANGES it)' })
    .option('native-sites', { type: 'boolean', default: false, describe: 'unfreed malloc by caller (bpftrace; slows it, and others)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors (no progress, no table)' });
}

export interface ProfileArgs {
  pid: number | null;
  snapshotFiles: string[];
  snapshots: number;
  interval_s: number;
  /** --interval was given (offline snapshots: the time between them). */
  intervalGiven: boolean;
  top: number;
  json: boolean;
  outDir: string | null;
  force: boolean;
  mode: 'auto' | 'full' | 'cheap';
  timeout_s: number;
  html: string | null;
  quiet: boolean;
  trim: boolean;
  nativeSites: boolean;
}

/** Parse leak-profile's argv (throws LeakError). */
export function parseProfileArgs(argv: string[]): ProfileArgs {
  const a = profileParser(argv).parseSync();
  const positional = a._.map(String);
  // `leak-profile 4242`, as leak-track takes its PID: one whole number and no --snapshot is a PID (one
  // snapshot file could never be profiled alone anyway).
  if (a.snapshot === undefined && positional.length === 1 && /^\d+$/.test(positional[0]!)) {
    if (a.pid !== undefined) throw usageError(`give the PID once: positionally (${positional[0]}) or with --pid (${a.pid})`);
    a.pid = positional.pop();
  }
  const files = [...((a.snapshot as string[] | undefined) ?? []), ...positional];
  if (a.pid === undefined && files.length === 0) throw usageError('give --pid PID or --snapshot FILE FILE…; see leak-profile --help');
  if (a.pid !== undefined && files.length > 0) throw usageError('give either --pid or --snapshot files, not both');
  if (a.pid !== undefined && !/^\d+$/.test(a.pid)) throw usageError(`--pid must be a positive whole number, got \`${a.pid}\``);
  const int = (v: string, flag: string, min: number) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw usageError(`${flag} must be a whole number ≥ ${min}, got \`${v}\``);
    return Number(v);
  };
  if (a.html !== undefined && a.html.trim() === '') throw usageError('--html needs a file name, e.g. --html profile.html');
  if (!['auto', 'full', 'cheap'].includes(a.mode)) throw usageError(`--mode must be auto, full or cheap, got \`${a.mode}\``);
  return {
    pid: a.pid !== undefined ? Number(a.pid) : null,
    snapshotFiles: files,
    snapshots: int(a.snapshots, '--snapshots', 2),
    interval_s: parseDuration(a.interval ?? '30', '--interval', 's'),
    intervalGiven: a.interval !== undefined,
    top: int(a.top, '--top', 1),
    json: Boolean(a.json),
    outDir: a.out ?? null,
    force: Boolean(a.force),
    mode: a.mode as ProfileArgs['mode'],
    timeout_s: parseDuration(a.timeout, '--timeout', 's'),
    html: a.html ?? null,
    quiet: Boolean(a.quiet),
    trim: Boolean(a.trim),
    nativeSites: Boolean(a['native-sites']),
  };
}

/** The leak-profile command. */
export const profileCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    const early = earlySignalLine(io);
    if (early !== null) return early;
    io.stdout.write(renderHelp(profileParser([])));
    return EXIT_OK;
  }
  const args = parseProfileArgs(argv);
  if (args.html) checkHtmlPath(args.html);
  if (args.nativeSites && args.pid === null) throw usageError('--native-sites needs a live target (--pid): it follows the process\'s allocations');
  if (args.trim && args.pid === null) throw usageError('--trim needs a live target (--pid): it runs malloc_trim(0) inside the process');
  const progress = (line: string) => {
    if (!args.quiet) io.stderr.write(`leak-profile: ${escapeControl(line)}\n`);
  };
  let report: ProfileReport;
  if (args.pid === null) {
    const early = earlySignalLine(io);
    if (early !== null) return early;
    report = await analyzeSnapshotsInParallel(args.snapshotFiles.map((file) => ({ file })), { top: args.top, interval_s: args.intervalGiven ? args.interval_s : undefined, onProgress: progress, collectBetweenFiles: true });
  } else {
    const outDir = args.outDir === null ? null : prepareOutDir(args.outDir);
    try {
      report = await withStopSignals(async (signal) => {
        // Loaded only for a live target: its modules (the WebSocket client above all) cost ~6 MB of the
        // peak that offline snapshot analysis is measured by (bench/README.md §3).
        const { profileProcess } = await import('../../profile/profile-process.js');
        const sig = abortSignalName(signal);
        if (sig) throw new Interrupted(sig, `nothing was done to PID ${args.pid}`);
        return profileProcess({
          pid: args.pid!, snapshots: args.snapshots, interval_s: args.interval_s, top: args.top, outDir,
          force: args.force, mode: args.mode, trim: args.trim, nativeSites: args.nativeSites, timeout_s: args.timeout_s, onProgress: progress, signal, collectBetweenFiles: true,
          countdown: Boolean(io.stderr.isTTY), // off a terminal (CI logs) the wait is said once
        });
      });
    } catch (e) {
      if (!(e instanceof Interrupted)) throw e;
      io.stderr.write(`leak-profile: ${escapeControl(e.message)}\n`);
      return exitCodeForSignal(e.signal);
    }
  }
  // Class, constructor and holder names are the target's (or a snapshot file's) text: escaped once
  // here, so the text, JSON and HTML outputs all show the same, harmless, strings.
  report = escapeDeep(report);
  if (args.json) io.stdout.write(`${JSON.stringify(report)}\n`);
  else if (!args.quiet) io.stdout.write(renderProfileText(report, args.top));
  if (args.html) writeHtmlFile(args.html, renderProfileHtml(report, args.top));
  return EXIT_OK;
};

/**
 * Live profiles take the early signals over in withStopSignals; everything else (help, offline files)
 * lets them go here, and one that already came in ends the run before any work: one line, 128+N.
 */
function earlySignalLine(io: CliIo): number | null {
  const sig = releaseStopSignals();
  if (sig === null) return null;
  io.stderr.write(`leak-profile: interrupted by ${sig} before it started; nothing was done\n`);
  return exitCodeForSignal(sig);
}

/**
 * Run `work` with SIGINT, SIGTERM and SIGHUP turned into an abort: the work cleans up the target
 * (closes the inspector, removes its files) and throws Interrupted. Further signals while it cleans up
 * are ignored: cleanup is bounded, and cutting it short is what leaves an inspector open.
 */
async function withStopSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) => {
    const h = () => {
      if (!ac.signal.aborted) ac.abort(sig);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  const early = releaseStopSignals(); // one that came in while the modules loaded (bin/leak-profile.ts)
  if (early) ac.abort(early);
  try {
    return await work(ac.signal);
  } finally {
    for (const [sig, h] of handlers) process.off(sig, h);
  }
}
