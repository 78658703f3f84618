// Where the installed package lives: every file the package reads or runs at run time (its package.json,
// the Python census, the page assets, the worker and sentinel scripts) is named from here, in one place,
// not from each module's own URL (a path relative to a module breaks the day the module moves or is
// bundled: bench/README.md § 8).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (where its package.json is): this module is compiled to dist/src/package-root.js. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A file of the package, e.g. packageFile('scripts', 'census'). */
export const packageFile = (...parts: string[]): string => path.join(PACKAGE_ROOT, ...parts);

/** A compiled module of the package (dist/src/…), e.g. for a Worker or a child process. */
export const compiledModule = (rel: string): string => path.join(PACKAGE_ROOT, 'dist', 'src', rel);

/** The version of the installed package. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}
