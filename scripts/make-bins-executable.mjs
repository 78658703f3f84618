// `npm run build` ends here: tsc writes the bin files mode 0644, and npx (or a global `npm link`) sets the
// executable bit on them only once, when it links them; after any later build every command then failed
// with "Permission denied" (127). Make each bin in package.json executable again after every build.
import { chmodSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
for (const bin of Object.values(pkg.bin ?? {})) {
  const file = path.join(root, bin);
  chmodSync(file, statSync(file).mode | 0o111);
}
