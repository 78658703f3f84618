// leak-track's flags, parsed by a pure function of argv (throws LeakError, never exits).
import { strictParser } from '../parse.js';
import { usageError } from '../../errors.js';
import { parseDuration, parseRate } from '../../units.js';
import { defaultDbPath } from '../../store/open-db.js';
import { parseListenAddress, type ListenAddress } from '../../export/listen-address.js';

import type { TrackTarget } from '../../track/track-session.js';

export type { TrackTarget };

export interface TrackArgs {
  target: TrackTarget;
  list: boolean;
  durationS: number; // 0 = until exit
  intervalS: number;
  children: boolean;
  db: string;
  label: string | null;
  quiet: boolean;
  json: boolean;
  maxRate: number | null;
  verbose: boolean;
  /** --prometheus [HOST:]PORT: serve /metrics while tracking. */
  prometheus: ListenAddress | null;
  /** --textfile DIR: write the same metrics for node_exporter's textfile collector. */
  textfile: string | null;
  /** --job NAME: the `job` label on every exported series. */
  job: string;
  /** Write the HTML report here at the end. */
  html: string | null;
  /** --explain: profile a confidently growing process while tracking (null: off). */
  explain: { maxPerProcess: number; intervalS: number; outDir: string | null } | null;
}

/** The longest sampling interval accepted, seconds. */
export const MAX_INTERVAL_S = 3600;

const TRACK_HELP = {
  usage: `Usage:
  leak-track PID [DURATION_MIN [INTERVAL_S]]          (or --pid PID)
  leak-track --find-training [DURATION_MIN [INTERVAL_S]] [--list]
  leak-track --match REGEX [DURATION_MIN [INTERVAL_S]]
  leak-track [DURATION_MIN [INTERVAL_S]] -- COMMAND [ARGS...]

Samples USS/PSS/RSS/swap (and VRAM where nvidia-smi is present) of the target and its children
into SQLite, one committed transaction per tick. Defaults: 10 minutes, every 2 s.`,
  examples: [
    ['leak-track --find-training 10 3', 'find the training job, track it 10 min, every 3 s'],
    ['leak-track 4242 --duration 0 --max-rate 50', 'a PID until it exits; exit 1 if it leaks > 50 MB/min'],
    ['leak-track 2 1 -- python train.py', 'launch it, track it 2 min every second, then stop it'],
    ['leak-track --find-training --explain', 'track the training job; profile whatever grows and say what holds it'],
  ] as [string, string][],
};

/** leak-track's options, with their descriptions and defaults (what --help and completion show). */
export function trackParser(argv: string[]) {
  return strictParser(argv, 'leak-track', TRACK_HELP)
    .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false, 'parse-numbers': false })
    .option('pid', { type: 'string', describe: 'the process to track (same as the positional PID)' })
    .option('find-training', { type: 'boolean', default: false, describe: 'find the training job (python train*.py, torchrun, accelerate, deepspeed, …)' })
    .option('match', { type: 'string', describe: 'track the biggest process tree whose command line matches REGEX' })
    .option('list', { type: 'boolean', default: false, describe: 'with --find-training or --match: list the candidates and exit' })
    .option('duration', { type: 'string', describe: 'how long; a bare number is minutes; 0 = until the target exits or Ctrl-C', defaultDescription: '10 (minutes)' })
    .option('interval', { type: 'string', describe: 'time between samples; a bare number is seconds; 50ms to 1h', defaultDescription: '2 (seconds)' })
    .option('children', { type: 'boolean', default: true, describe: 'follow descendants (DataLoader workers); --no-children for the target alone' })
    .option('db', { type: 'string', describe: 'the SQLite file to write', defaultDescription: './leak-track.db or $LEAK_TRACK_DB' })
    .option('label', { type: 'string', describe: 'a name for this session', defaultDescription: '"NAME PID"' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' })
    .option('json', { type: 'boolean', default: false, describe: 'print the closing summary as Report JSON on stdout' })
    .option('max-rate', { type: 'string', describe: 'exit 1 if a process grows confidently faster: 50 (MB/min), 50MB/min, 3GB/h' })
    .option('prometheus', { type: 'string', describe: 'serve /metrics while tracking on [HOST:]PORT (loopback unless HOST is given: 0.0.0.0:9464)' })
    .option('textfile', { type: 'string', describe: "write the same metrics to DIR/leak-detective-PID.prom for node_exporter's textfile collector" })
    .option('job', { type: 'string', describe: 'a job label on the exported metrics' })
    .option('html', { type: 'string', describe: 'at the end, also write a self-contained HTML report' })
    .option('explain', { type: 'boolean', default: false, describe: 'profile a process once it confidently grows; say what holds it' })
    .option('explain-max', { type: 'string', describe: 'with --explain: profiles per process', defaultDescription: '1' })
    .option('explain-interval', { type: 'string', describe: 'with --explain: time between its 3 captures (s)', defaultDescription: '15 (seconds)' })
    .option('explain-out', { type: 'string', describe: 'with --explain: keep the captures in DIR/PID-N', defaultDescription: 'not kept' });
}

/** Parse leak-track's argv. */
export function parseTrackArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TrackArgs {
  const a = trackParser(argv).parseSync();
  const positional = (a._ as (string | number)[]).map(String);
  const command = ((a['--'] as (string | number)[] | undefined) ?? []).map(String);
  let target: TrackTarget;
  let rest: string[];
  const modes = [a.pid !== undefined, a['find-training'], a.match !== undefined, command.length > 0].filter(Boolean).length;
  if (modes > 1) throw usageError('choose one target: a PID, --find-training, --match REGEX or -- COMMAND');
  if (a['find-training']) {
    target = { kind: 'find-training' };
    rest = positional;
  } else if (a.match !== undefined) {
    if (a.match === '') throw usageError('--match needs a regular expression, e.g. --match "model-garden serve"');
    target = { kind: 'match', pattern: a.match };
    rest = positional;
  } else if (command.length > 0) {
    target = { kind: 'launch', command };
    rest = positional;
  } else {
    const pidText = a.pid ?? positional[0];
    if (pidText === undefined) {
      if (a.list) throw usageError('--list works with --find-training or --match: leak-track --find-training --list');
      throw usageError('no target: give a PID, --find-training, --match REGEX or -- COMMAND (see leak-track --help)');
    }
    if (!/^\d+$/.test(pidText) || Number(pidText) <= 0) throw usageError(`PID must be a positive whole number, got \`${pidText}\``);
    target = { kind: 'pid', pid: Number(pidText) };
    rest = a.pid !== undefined ? positional : positional.slice(1);
  }
  if (rest.length > 2) throw usageError(`too many numbers: \`${rest.join(' ')}\`; expected [DURATION_MIN [INTERVAL_S]]`);
  if (a.list && target.kind !== 'find-training' && target.kind !== 'match') throw usageError('--list works with --find-training or --match');
  if ((target.kind === 'match' || target.kind === 'find-training') && rest.length > 0) {
    // Numbers come after the target (`--match X 10 3`); one before it is a PID naming a second target.
    const flagAt = argv.findIndex((x) => x === '--find-training' || x === '--match' || x.startsWith('--match='));
    const firstAt = argv.indexOf(rest[0]!);
    if (firstAt !== -1 && firstAt < flagAt) {
      const flag = target.kind === 'match' ? `--match ${target.pattern}` : '--find-training';
      throw usageError(`two targets: \`${rest[0]}\` (a PID) and ${flag}; give one: leak-track PID [DURATION_MIN [INTERVAL_S]] or leak-track ${flag} [DURATION_MIN [INTERVAL_S]]`);
    }
  }
  if (a.duration !== undefined && rest[0] !== undefined) throw usageError('give the duration once: positionally or with --duration');
  if (a.interval !== undefined && rest[1] !== undefined) throw usageError('give the interval once: positionally or with --interval');
  const durationS = parseDuration(a.duration ?? rest[0] ?? '10', '--duration', 'min', { allowZero: true });
  const intervalS = parseDuration(a.interval ?? rest[1] ?? '2', '--interval', 's');
  if (intervalS < 0.05) throw usageError(`--interval must be at least 50ms, got \`${a.interval ?? rest[1]}\``);
  if (a.html !== undefined && a.html.trim() === '') throw usageError('--html needs a file name, e.g. --html report.html');
  // Beyond an hour between samples no run yields enough points for a verdict (and past 24.8 days
  // Node's timers overflow to 1 ms: `--interval 25d` sampled every millisecond).
  if (intervalS > MAX_INTERVAL_S) throw usageError(`--interval must be at most 1h (sampling less often gives too few points for a verdict), got \`${a.interval ?? rest[1]}\``);
  if (durationS > 0 && durationS < intervalS) throw usageError(`--duration (${durationS}s) is shorter than one interval (${intervalS}s)`);
  return {
    target,
    list: Boolean(a.list),
    durationS,
    intervalS,
    children: a.children !== false,
    db: a.db ?? defaultDbPath(env),
    label: a.label ?? null,
    quiet: Boolean(a.quiet),
    json: Boolean(a.json),
    maxRate: a['max-rate'] !== undefined ? parseRate(a['max-rate']) : null,
    verbose: Boolean(a.verbose),
    prometheus: a.prometheus !== undefined ? parseListenAddress(String(a.prometheus)) : null,
    textfile: a.textfile !== undefined ? nonEmpty(String(a.textfile), '--textfile', 'a directory') : null,
    job: a.job !== undefined ? checkJob(String(a.job)) : '',
    html: a.html ?? null,
    explain: parseExplain(a),
  };
}

/** --explain and its companions; a companion without --explain is a usage error (it would do nothing). */
function parseExplain(a: { explain?: boolean; 'explain-max'?: string; 'explain-interval'?: string; 'explain-out'?: string }): TrackArgs['explain'] {
  const given = (['explain-max', 'explain-interval', 'explain-out'] as const).find((k) => a[k] !== undefined);
  if (!a.explain) {
    if (given) throw usageError(`--${given} works with --explain; add --explain`);
    return null;
  }
  const max = a['explain-max'] ?? '1';
  if (!/^\d+$/.test(max) || Number(max) < 1 || Number(max) > 100) throw usageError(`--explain-max must be a whole number from 1 to 100, got \`${max}\``);
  const intervalS = parseDuration(a['explain-interval'] ?? '15', '--explain-interval', 's');
  if (intervalS < 0.5 || intervalS > 600) throw usageError(`--explain-interval must be between 0.5 s and 10 min, got \`${a['explain-interval']}\``);
  const out = a['explain-out'];
  if (out !== undefined && out.trim() === '') throw usageError('--explain-out needs a directory, e.g. --explain-out ./captures');
  return { maxPerProcess: Number(max), intervalS, outDir: out ?? null };
}

function nonEmpty(v: string, flag: string, what: string): string {
  if (v.trim() === '') throw usageError(`${flag} needs ${what}`);
  return v;
}

/** A label value must stay short and printable. */
function checkJob(v: string): string {
  if (!/^[\w.:/@+-]{1,64}$/.test(v)) throw usageError(`--job must be 1–64 letters, digits or . _ - : / @ +, got \`${v}\``);
  return v;
}
