// Runs each one-line mutation of bench/mutations.json against the test files that must catch it:
// apply (exact string replace), build, run the files, restore, rebuild. Prints one markdown row each.
// Usage: node bench/mutate.mjs [id ...]   (from the repository root; the tree must be clean of edits
// to the mutated files). Results go in bench/mutations.md by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const all = JSON.parse(readFileSync('bench/mutations.json', 'utf8'));
const pick = process.argv.slice(2);
for (const m of all.filter((x) => !pick.length || pick.includes(x.id))) {
  const orig = readFileSync(m.file, 'utf8');
  if (!orig.includes(m.from)) {
    console.log(`| ${m.id} | ${m.file} | not applied: the line is no longer there |`);
    continue;
  }
  writeFileSync(m.file, orig.replace(m.from, m.to));
  let verdict;
  try {
    if (spawnSync('npm', ['run', 'build'], { stdio: 'ignore' }).status !== 0) {
      console.log(`| ${m.id} | ${m.what} | ${m.tests.join(', ')} | does not compile: rewrite the mutation |`);
      continue;
    }
    const r = spawnSync(process.execPath, ['--test', ...(m.pattern ? ['--test-name-pattern', m.pattern] : []), ...m.tests.map((t) => `dist/${t.replace(/\.ts$/, '.js')}`)], { encoding: 'utf8', timeout: 600_000 });
    const fail = /^# fail (\d+)/m.exec(r.stdout)?.[1];
    verdict = fail && Number(fail) > 0 ? `caught (${fail} failing)` : 'SURVIVED';
  } finally {
    writeFileSync(m.file, orig);
  }
  console.log(`| ${m.id} | ${m.what} | ${m.tests.join(', ')} | ${verdict} |`);
}
execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
