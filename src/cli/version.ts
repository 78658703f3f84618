// The package's version, read from its package.json (dist/src/cli → the package root), for --version.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version of the installed leak-detective package. */
export function packageVersion(): string {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** True when argv asks for the version (before any `--`, which starts a launched command's own argv). */
export function wantsVersion(argv: string[]): boolean {
  const end = argv.indexOf('--');
  const own = end < 0 ? argv : argv.slice(0, end);
  return own.includes('--version') || own.includes('-V');
}
