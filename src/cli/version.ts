// --version: the package's version (read from its package.json by package-root.ts).
export { packageVersion } from '../package-root.js';

/** True when argv asks for the version (before any `--`, which starts a launched command's own argv). */
export function wantsVersion(argv: string[]): boolean {
  const end = argv.indexOf('--');
  const own = end < 0 ? argv : argv.slice(0, end);
  return own.includes('--version') || own.includes('-V');
}
