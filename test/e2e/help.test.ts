// --help, --version and completion, on the built bins: every option the parser knows is listed with its
// description (and default where it has one), the exit codes and examples are there, and completion
// offers the same flags. The help comes from the parser's own definitions, so this fails when they drift.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PYTHON, runBin } from '../helpers/procs.js';
import { bin, PROGRAMS } from '../helpers/paths.js';
import { trackParser, parseTrackArgs } from '../../src/cli/commands/track-args.js';
import { reportParser } from '../../src/cli/commands/report.js';
import { checkParser } from '../../src/cli/commands/check.js';
import { profileParser } from '../../src/cli/commands/profile.js';

const BINS = { 'leak-track': trackParser, 'leak-report': reportParser, 'leak-check': checkParser, 'leak-profile': profileParser };

for (const [bin, parser] of Object.entries(BINS)) {
  test(`${bin} --help lists every option with its default, the exit codes and examples; completion offers them`, async () => {
    const r = await runBin(bin, ['--help']);
    assert.equal(r.code, 0, r.stderr);
    const opts = (parser([]) as unknown as { getOptions(): unknown }).getOptions() as { key: Record<string, unknown>; default: Record<string, unknown> };
    const keys = Object.keys(opts.key).filter((k) => !['help', 'version', '$0'].includes(k) && !/[A-Z]/.test(k)); // camelCase = yargs' aliases
    assert.ok(keys.length >= 3);
    for (const k of keys) {
      const line = r.stdout.split('\n').findIndex((l) => l.startsWith(`  --${k} `));
      assert.ok(line >= 0, `--${k} is not listed:\n${r.stdout}`);
      const entry = r.stdout.split('\n').slice(line, line + 2).join(' ');
      if (opts.default[k] !== undefined) assert.match(entry, /\[default: /, `--${k} has a default that --help does not show`);
    }
    assert.match(r.stdout, /Exit codes: 0 ok · 1 a leak found by a check · 2 usage or bad input · 3 target not found/);
    // Examples: each command whole on its own line (copyable), what it does indented under it (#23.2: a
    // long one was wrapped mid-word by yargs).
    const examples = r.stdout.split('\n\nExamples:\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
    assert.ok(examples.length >= 4 && examples.length % 2 === 0, `two or more examples, each two lines:\n${r.stdout}`);
    for (let i = 0; i < examples.length; i += 2) {
      assert.match(examples[i]!, new RegExp(`^  ${bin}( |$)`), `an example line that is not a whole command:\n${examples.join('\n')}`);
      assert.equal((examples[i]!.match(/'/g) ?? []).length % 2, 0, `unbalanced quotes: ${examples[i]}`);
      assert.match(examples[i + 1]!, /^      \S/, `what the example does goes under it: ${examples[i + 1]}`);
    }
    const script = await runBin(bin, ['completion']);
    assert.equal(script.code, 0);
    assert.match(script.stdout, new RegExp(`${bin} --get-yargs-completions`));
    const offered = await runBin(bin, ['--get-yargs-completions', bin, '--']);
    assert.equal(offered.code, 0, offered.stderr);
    for (const k of keys) assert.ok(offered.stdout.split('\n').includes(`--${k}`), `completion lacks --${k}`);
  });
}

test('leak-track --pid N is the positional PID; with another target it is a usage error', async () => {
  const a = parseTrackArgs(['--pid', '4242', '5', '1']);
  assert.deepEqual(a.target, { kind: 'pid', pid: 4242 });
  assert.equal(a.durationS, 300);
  assert.equal(a.intervalS, 1);
  assert.deepEqual(parseTrackArgs(['4242']).target, a.target);
  assert.throws(() => parseTrackArgs(['--pid', '4242', '--match', 'x']), /choose one target/);
  const r = await runBin('leak-track', ['--pid', '999999999', '0.1', '1', '--db', '/tmp/never-created.db']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /no process with PID 999999999/);
});

test('--find-training says what it looked for when nothing matches (exit 3), or lists what matched and why', () => {
  // Each outcome in a fresh PID namespace with its own /proc (unshare, as root), so a train.py other
  // tests run at this moment cannot decide which outcome this test sees.
  const inNs = (argv: string[]) => spawnSync('unshare', ['--pid', '--fork', '--mount-proc', ...argv], { encoding: 'utf8', timeout: 60_000 });
  const never = path.join(mkdtempSync(path.join(tmpdir(), 'ld-find-')), 'never-created.db'); // private: /tmp is shared
  const none = inNs([process.execPath, bin('leak-track'), '--find-training', '0.1', '1', '--db', never]);
  assert.equal(none.status, 3, none.stderr);
  assert.equal(none.stderr, 'leak-track: no process found: no training process found (looked for python …train*.py, torchrun, accelerate launch, deepspeed, -m torch.distributed.run, lightning, trl/axolotl/llamafactory, model-garden serve, node …train…); pass a PID or --match REGEX\n');
  assert.equal(existsSync(never), false, 'nothing found: no DB created');
  // A train.py started in the namespace (the list is printed once its command line is there).
  const driver = `import subprocess, sys
p = subprocess.Popen([sys.executable, ${JSON.stringify(path.join(PROGRAMS, 'train.py'))}, '--quiet', '--lifetime', '600'])
while b'train.py' not in open(f'/proc/{p.pid}/cmdline', 'rb').read(): pass
r = subprocess.run([${JSON.stringify(process.execPath)}, ${JSON.stringify(bin('leak-track'))}, '--find-training', '--list'], capture_output=True, text=True)
p.kill(); sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); sys.exit(r.returncode)`;
  const found = inNs([PYTHON, '-c', driver]);
  assert.equal(found.status, 0, found.stderr);
  assert.match(found.stdout, /^\s+\d+\s+[\d.]+ MB\s+\d+\s+python running a train\*\.py script\s+\S*python\S* \S+\/train\.py --quiet/m, found.stdout);
});

// The usage text is printed as written: yargs' usage() stripped its indentation and re-wrapped lines it
// thought too long, leaving `every` and `DIR]` alone on a line of leak-report's and leak-profile's help.
for (const name of Object.keys(BINS)) {
  test(`${name} --help prints its usage text as written: indented commands, no orphaned words, ≤ 100 columns`, async () => {
    const r = await runBin(name, ['--help']);
    assert.equal(r.code, 0, r.stderr);
    const head = r.stdout.split('\nOptions:\n')[0]!;
    assert.match(head, new RegExp(`^Usage:\\n  ${name} `), head);
    const lines = head.split('\n');
    for (const l of lines.slice(1)) {
      assert.ok(l.length <= 100, `wider than 100 columns: ${l}`);
      assert.doesNotMatch(l, /^\s*[a-z]+[.,;:]?$/i, `a word alone on a line (re-wrapped text):\n${head}`);
    }
    const commands = lines.slice(1, lines.indexOf(''));
    for (const c of commands) assert.match(c, new RegExp(`^(  ${name} |    \\[)`), `a usage line that is not a command or its continuation: ${c}`);
  });
}
