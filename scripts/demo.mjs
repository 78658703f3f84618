// `npm run demo`: track a built-in leaky "training job" live for 45 s, then print the verdict.
// The job is fixtures/programs/train.py: an image processor whose _cache never evicts.
import { spawn, execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The real interpreter, not a version-manager shim (pyenv's shim forks python as a child).
let python = 'python3';
try {
  python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
} catch {
  console.error('demo: python3 is needed for the demo trainer');
  process.exit(2);
}
const db = path.join(process.cwd(), 'leak-track-demo.db');
const args = [
  path.join(root, 'dist/src/cli/bin/leak-track.js'), '45s', '0.5', '--db', db, '--label', 'demo: leaky image cache',
  '--', python, path.join(root, 'fixtures/programs/train.py'), '--mb-per-step', '1', '--steps-per-s', '3', '--lifetime', '60',
];
console.error(`demo: tracking a toy trainer that caches every processed image (≈180 MB/min) for 45 s\n`);
const child = spawn(process.execPath, args, { stdio: 'inherit' });
child.on('exit', (code) => {
  console.error(`\ndemo: samples are in ${path.relative(process.cwd(), db)}; analyse them again with`);
  console.error(`  npx leak-report --db ${path.relative(process.cwd(), db)}`);
  console.error(`  npx leak-check --db ${path.relative(process.cwd(), db)} --max-rate 50   # exits 1: the job leaks`);
  process.exit(code ?? 1);
});
