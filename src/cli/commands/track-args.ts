// leak-track's flags, parsed by a pure function of argv (throws LeakError, never exits).
import { strictParser } from '../parse.js';
import { usageError } from '../../errors.js';
import { parseDuration, parseRate } from '../../units.js';
import { defaultDbPath } from '../../store/open-db.js';

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
}

/** The longest sampling interval accepted, seconds. */
export const MAX_INTERVAL_S = 3600;

export const TRACK_USAGE = `Usage:
  leak-track PID [DURATION_MIN [INTERVAL_S]]
  leak-track --find-training [DURATION_MIN [INTERVAL_S]] [--list]
  leak-track --match REGEX [DURATION_MIN [INTERVAL_S]]
  leak-track [DURATION_MIN [INTERVAL_S]] -- COMMAND [ARGS...]

Samples USS/PSS/RSS/swap (and VRAM where nvidia-smi is present) of the target and its children
into SQLite. Defaults: 10 minutes, every 2 s. Durations accept 90, 90s, 5m, 2h.

Options:
  --duration D       how long (bare number = minutes; 0 = until the target exits or Ctrl-C)
  --interval I       sampling interval (bare number = seconds; 50ms to 1h)
  --db FILE          SQLite file (default ./leak-track.db or $LEAK_TRACK_DB)
  --label TEXT       a name for this session
  --no-children      track only the target, not its descendants
  --list             with --find-training: list candidates and exit
  --max-rate R       exit 1 if a process grows faster than R (50, 50MB/min, 3GB/h)
  --json             print the summary as Report JSON on stdout
  --quiet            print nothing but errors
  --verbose          show stack traces for errors`;

/** Parse leak-track's argv. */
export function parseTrackArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): TrackArgs {
  const a = strictParser(argv, 'leak-track')
    .parserConfiguration({ 'populate--': true, 'parse-positional-numbers': false, 'parse-numbers': false })
    .option('find-training', { type: 'boolean', default: false })
    .option('match', { type: 'string' })
    .option('list', { type: 'boolean', default: false })
    .option('duration', { type: 'string' })
    .option('interval', { type: 'string' })
    .option('children', { type: 'boolean', default: true })
    .option('db', { type: 'string' })
    .option('label', { type: 'string' })
    .option('quiet', { type: 'boolean', default: false })
    .option('json', { type: 'boolean', default: false })
    .option('max-rate', { type: 'string' })
    .parseSync();
  const positional = (a._ as (string | number)[]).map(String);
  const command = ((a['--'] as (string | number)[] | undefined) ?? []).map(String);
  let target: TrackTarget;
  let rest: string[];
  const modes = [a['find-training'], a.match !== undefined, command.length > 0].filter(Boolean).length;
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
    const pidText = positional[0];
    if (pidText === undefined) {
      throw usageError('no target: give a PID, --find-training, --match REGEX or -- COMMAND (see leak-track --help)');
    }
    if (!/^\d+$/.test(pidText) || Number(pidText) <= 0) throw usageError(`PID must be a positive whole number, got \`${pidText}\``);
    target = { kind: 'pid', pid: Number(pidText) };
    rest = positional.slice(1);
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
  };
}
