// `npm run build`, after tsc: each of the four bins becomes one file holding our own modules (the
// packages in node_modules stay imports). A bin started by resolving and compiling ~100 separate
// modules: 0.45 s of CPU per start, a third of it that; leak-check in a CI loop and the test suite's
// ~1,000 bin starts pay it each time (bench/README.md § start-up). The library (dist/src/index.js)
// stays unbundled. Paths the code reads at run time are named from the package root (src/package-root.ts),
// never from a module's own URL, so they hold in a bundle too.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
for (const bin of Object.values(pkg.bin ?? {})) {
  const file = path.join(root, bin);
  await build({
    entryPoints: [file], outfile: file, allowOverwrite: true, bundle: true, packages: 'external',
    platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', sourcemap: true,
  });
}
