// leak-profile: what accumulates inside a live Node or Python process, or across snapshot files.
import type { Command } from '../run.js';
import { strictParser, wantsHelp } from '../parse.js';
import { EXIT_OK, LeakError, usageError } from '../../errors.js';
import { parseDuration } from '../../units.js';
import { detectRuntime } from '../../profile/detect-runtime.js';
import { analyzeSnapshots } from '../../profile/node/analyze-snapshots.js';
import { profileNode } from '../../profile/node/profile-node.js';
import { profilePython } from '../../profile/python/profile-python.js';
import { renderProfileText } from '../../report/profile-text.js';
import type { ProfileReport } from '../../types.js';

export const PROFILE_USAGE = `Usage:
  leak-profile --pid PID [--snapshots 3] [--interval 30] [--top 20] [--json] [--out DIR] [--force]
  leak-profile --snapshot A.heapsnapshot B.heapsnapshot [C.heapsnapshot ...] [--interval S] [--json]

Node targets: heap snapshots through the inspector (opened with SIGUSR1, closed again afterwards).
Python targets: live object censuses injected with gdb (see README). Reports the types that grew in
every interval, ranked by bytes grown (Node: by the bytes their new objects retain), with who holds them.
Offline snapshots are ordered by their V8 object ids; --interval states the time between them (rates
are left out without it: file times are not trusted).
  --mode auto|full|cheap   Python census depth (auto picks by object count)
  --timeout S              Python: give up waiting for a census after S seconds (default 60)`;

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
}

/** Parse leak-profile's argv (throws LeakError). */
export function parseProfileArgs(argv: string[]): ProfileArgs {
  const a = strictParser(argv, 'leak-profile')
    .parserConfiguration({ 'parse-numbers': false })
    .option('pid', { type: 'string' })
    .option('snapshot', { type: 'array', string: true })
    .option('snapshots', { type: 'string', default: '3' })
    .option('interval', { type: 'string' })
    .option('top', { type: 'string', default: '20' })
    .option('json', { type: 'boolean', default: false })
    .option('out', { type: 'string' })
    .option('force', { type: 'boolean', default: false })
    .option('mode', { type: 'string', default: 'auto' })
    .option('timeout', { type: 'string', default: '60' })
    .parseSync();
  const files = [...((a.snapshot as string[] | undefined) ?? []), ...a._.map(String)];
  if (a.pid === undefined && files.length === 0) throw usageError('give --pid PID or --snapshot FILE FILE…; see leak-profile --help');
  if (a.pid !== undefined && files.length > 0) throw usageError('give either --pid or --snapshot files, not both');
  if (a.pid !== undefined && !/^\d+$/.test(a.pid)) throw usageError(`--pid must be a positive whole number, got \`${a.pid}\``);
  const int = (v: string, flag: string, min: number) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw usageError(`${flag} must be a whole number ≥ ${min}, got \`${v}\``);
    return Number(v);
  };
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
  };
}

/** The leak-profile command. */
export const profileCommand: Command = async (argv, io) => {
  if (wantsHelp(argv)) {
    io.stdout.write(`${PROFILE_USAGE}\n`);
    return EXIT_OK;
  }
  const args = parseProfileArgs(argv);
  const progress = (line: string) => io.stderr.write(`leak-profile: ${line}\n`);
  let report: ProfileReport;
  if (args.pid === null) {
    report = analyzeSnapshots(args.snapshotFiles.map((file) => ({ file })), { top: args.top, interval_s: args.intervalGiven ? args.interval_s : undefined, onProgress: progress });
  } else {
    const rt = detectRuntime(args.pid);
    const common = { pid: args.pid, snapshots: args.snapshots, interval_s: args.interval_s, top: args.top, outDir: args.outDir, force: args.force, onProgress: progress };
    if (rt.runtime === 'node') report = await profileNode(common);
    else if (rt.runtime === 'python') report = await profilePython({ ...common, mode: args.mode, timeout_s: args.timeout_s });
    else throw new LeakError('unsupported', `PID ${args.pid} runs ${rt.looksLike}, not Node or CPython; leak-profile can look inside Node (heap snapshots) and CPython (censuses) processes only`);
  }
  io.stdout.write(args.json ? `${JSON.stringify(report)}\n` : renderProfileText(report, args.top));
  return EXIT_OK;
};
