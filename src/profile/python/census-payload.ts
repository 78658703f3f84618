// The census payload as the target runs it: the modules of scripts/census/ joined, in the order
// scripts/census/modules.txt lists them, into one Python source that runs as one exec(). Nothing is
// imported from disk in the target, so nothing of ours stays in its sys.modules or sys.path.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LeakError } from '../../errors.js';
import { packageFile } from '../../package-root.js';

/** scripts/census in the package. */
export const CENSUS_DIR = packageFile('scripts', 'census');

/** The name the joined payload runs under: the census recognises (and skips) its own frames by it. */
export const PAYLOAD_NAME = 'leak_census.py';

/** The module files in the order they are joined (modules.txt: one name a line, `#` comments). */
export function censusModules(dir = CENSUS_DIR): string[] {
  const names = readFileSync(path.join(dir, 'modules.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const bad = names.find((n) => !/^[a-z][a-z0-9_]*\.py$/.test(n));
  if (bad !== undefined || names.length === 0) throw new LeakError('internal', `${path.join(dir, 'modules.txt')} names ${bad === undefined ? 'no module' : `"${bad}"`}: the installed package is damaged; reinstall leak-detective`);
  return names;
}

let cached: string | null = null;

/** The joined payload (read once per process). */
export function censusPayload(dir = CENSUS_DIR): string {
  if (dir !== CENSUS_DIR) return join(dir);
  cached ??= join(dir);
  return cached;
}

function join(dir: string): string {
  // A marker line per module: a traceback's line number is found in the module it names.
  return censusModules(dir).map((n) => `# ---- scripts/census/${n} ----\n${readFileSync(path.join(dir, n), 'utf8')}`).join('\n');
}

/**
 * The snippet gdb queues in the target (PyRun_SimpleString, which runs in __main__'s namespace): it
 * runs inside exec(…, {}) so not one name is added to __main__; it reads the payload file with a
 * `with` (closed before the census runs), silences warnings for its whole run, and swallows every
 * exception (the payload reports its own errors in the result file).
 */
export function censusSnippet(payloadFile: string, args: Record<string, unknown>): string {
  const P = JSON.stringify(payloadFile);
  const body = [
    'try:',
    ' import warnings as w',
    ' with w.catch_warnings():',
    "  w.simplefilter('ignore')",
    `  with open(${P},'rb') as f: c=compile(f.read(),${P},'exec')`,
    `  g={'__name__':'__leak_census__','LD_ARGS':${JSON.stringify(args)}}`,
    // The payload's functions and their globals form a cycle; clearing the dict frees them at once,
    // so the census's own code never shows up as growth in the next census.
    '  exec(c,g); g.clear()',
    'except BaseException: pass',
    '',
  ].join('\n');
  return `exec(${JSON.stringify(body)},{})\n`;
}
