// Locations tests need, computed from this file so tests run from any cwd (compiled to dist/test/helpers).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (where package.json lives). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = path.join(ROOT, 'fixtures');
export const PROGRAMS = path.join(FIXTURES, 'programs');
export const SCRIPTS = path.join(ROOT, 'scripts');
/** Path of a built binary, e.g. bin('leak-track'). */
export const bin = (name: string): string => path.join(ROOT, 'dist', 'src', 'cli', 'bin', `${name}.js`);
