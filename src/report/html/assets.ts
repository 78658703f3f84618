// The files a page inlines, read at render time: uPlot's minified script and CSS from the installed
// package, and our page scripts from assets/ beside the sources (shipped with the package).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LeakError } from '../../errors.js';
import { packageFile } from '../../package-root.js';

// The asset files stay in src/report/html/assets/ (shipped with the package).
const ASSET_DIRS = [packageFile('src', 'report', 'html', 'assets')];
const cache = new Map<string, string>();

function readOnce(key: string, find: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    let file = '';
    try {
      file = find();
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new LeakError('internal', `cannot read ${file || key} for the HTML report; reinstall leak-detective`, { cause: e });
    }
    cache.set(key, text);
  }
  return text;
}

function uplotFile(name: string): string {
  const main = createRequire(import.meta.url).resolve('uplot');
  return path.join(path.dirname(main), name);
}

/** uPlot's IIFE build (defines window.uPlot) and its stylesheet. */
export function readUplot(): { js: string; css: string } {
  return { js: readOnce('uplot.js', () => uplotFile('uPlot.iife.min.js')), css: readOnce('uplot.css', () => uplotFile('uPlot.min.css')) };
}

/** One of our own page assets (a script or stylesheet in assets/). */
export function readAsset(name: string): string {
  return readOnce(name, () => {
    for (const dir of ASSET_DIRS) {
      const f = path.join(dir, name);
      try {
        readFileSync(f);
        return f;
      } catch {
        /* try the next place */
      }
    }
    return path.join(ASSET_DIRS[1]!, name);
  });
}
