// Process trees whose members come and go, end to end: real short-lived children folded into one
// summary (not charted, not gated, --strict unaffected), the tree on PSS, and leak-check on a stored
// session where a process has no samples at all.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { runBin, startFixture } from '../helpers/procs.js';
import { waitForChildren } from '../helpers/wait.js';
import { openDbForWrite } from '../../src/store/open-db.js';
import { SessionWriter } from '../../src/store/session-writer.js';
import type { SessionReport } from '../../src/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ld-tree-churn-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MB = 1048576;

test('a parent leaking 120 MB/min that runs a 1 s helper every 0.2 s: helpers summarised in one line, tree on PSS follows the parent', async () => {
  const db = path.join(dir, 'helpers.db');
  const job = startFixture('tree_helpers.py', ['--rate', '120', '--every', '0.2', '--helper-s', '1', '--lifetime', '600']);
  after(() => job.kill('SIGKILL'));
  await waitForChildren(job.pid!, 1, /^sleep /); // its loop runs: the first helper is out
  const track = await runBin('leak-track', [String(job.pid), '24s', '0.5', '--db', db, '--quiet'], { timeoutMs: 60_000 });
  job.kill();
  assert.equal(track.code, 0, track.stderr);

  const rep = await runBin('leak-report', ['--db', db, '--json']);
  assert.equal(rep.code, 0, rep.stderr);
  const r = JSON.parse(rep.stdout) as SessionReport;
  const show = JSON.stringify(r.processes.map((p) => [p.role, p.pid, p.metric, p.samples, p.classification, p.rate_mb_per_min]));
  assert.ok(r.short_lived && r.short_lived.count >= 6, `short-lived: ${JSON.stringify(r.short_lived)}`);
  assert.equal(r.short_lived.names.sleep, r.short_lived.count, JSON.stringify(r.short_lived.names));
  assert.ok(r.short_lived.max_samples < 10);
  assert.equal(r.processes.filter((p) => p.role === 'child').length, 0, `no child rows: ${show}`);
  const main = r.processes.find((p) => p.role === 'main')!;
  const tree = r.processes.find((p) => p.role === 'tree')!;
  assert.equal(tree.metric, 'pss', 'children without a PSS reading do not switch the tree to RSS');
  assert.equal(main.classification, 'growing', show);
  assert.ok(Math.abs(main.rate_mb_per_min! - 120) / 120 < 0.15, `main ${main.rate_mb_per_min}`);
  assert.equal(tree.classification, 'growing', show);
  assert.ok(Math.abs(tree.rate_mb_per_min! - main.rate_mb_per_min!) / main.rate_mb_per_min! < 0.15, `tree ${tree.rate_mb_per_min} vs main ${main.rate_mb_per_min}`);

  const text = await runBin('leak-report', ['--db', db]);
  const line = text.stdout.split('\n').find((l) => /short-lived children \(/.test(l));
  assert.match(line ?? '', /^ *\d+ short-lived children \(sleep ×\d+\): ≤ \d samples, ≤ [\d.]+s, ≤ [\d.]+ [kM]B PSS each; in the tree total/, text.stdout);
  assert.ok(text.stdout.split('\n').length < 60, `the report stays short: ${text.stdout.split('\n').length} lines`);

  // Gated: the parent passes at 300 and nothing else is judged, so --strict is not failed by the helpers.
  const strict = await runBin('leak-check', ['--db', db, '--max-rate', '300', '--strict']);
  assert.equal(strict.code, 0, strict.stdout + strict.stderr);
  assert.equal(strict.stdout.split('\n').filter((l) => /^(PASS|FAIL|INCONCLUSIVE)/.test(l)).length, 2, strict.stdout);
  const fail = await runBin('leak-check', ['--db', db, '--max-rate', '60']);
  assert.equal(fail.code, 1, fail.stdout);
  assert.match(fail.stdout, new RegExp(`^FAIL python3 ${job.pid}: growing`, 'm'));
});

test('leak-check on a session where a process has zero samples and a worker leaks: no crash, the worker FAILs by name', async () => {
  const f = path.join(dir, 'zero.db');
  const db = openDbForWrite(f);
  const w = new SessionWriter(db, { label: 'zero', interval_s: 1, target: 'x' });
  const main = w.addProcess({ pid: 20, ppid: 1, start_ticks: 1, name: 'python', cmdline: 'python train.py', role: 'main' }, 0);
  const worker = w.addProcess({ pid: 21, ppid: 20, start_ticks: 2, name: 'pt_data_worker', cmdline: 'worker', role: 'child' }, 0);
  w.addProcess({ pid: 22, ppid: 20, start_ticks: 3, name: 'sh', cmdline: 'sh -c true', role: 'child' }, 500); // exited before its first read
  for (let i = 0; i < 90; i++) {
    const flat = (200 + (i % 3)) * MB;
    const leak = (50 + i) * MB; // 60 MB/min at 1 s
    w.appendTick([
      { processId: main, sample: { t_ms: i * 1000, rss: flat + 40 * MB, uss: flat, pss: flat + 5 * MB, swap: 0, vram: null, cpu: 5 } },
      { processId: worker, sample: { t_ms: i * 1000, rss: leak + 40 * MB, uss: leak, pss: leak + 5 * MB, swap: 0, vram: null, cpu: 50 } },
    ]);
  }
  w.end('duration');
  db.close();
  const r = await runBin('leak-check', ['--db', f, '--max-rate', '30']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^FAIL pt_data_worker 21: growing 60\.\d MB\/min/m);
  assert.match(r.stdout, /^PASS python 20: /m);
  assert.match(r.stdout, /^FAIL tree 20 \(main \+ children\): growing/m);
  assert.doesNotMatch(r.stdout, / 22[: ]/, 'the never-sampled process gets no line');
  const j = await runBin('leak-check', ['--db', f, '--max-rate', '30', '--json']);
  assert.equal(j.code, 1);
  const rep = JSON.parse(j.stdout) as SessionReport;
  assert.deepEqual(rep.processes.map((p) => [p.role, p.pid, p.verdict]), [['main', 20, 'pass'], ['child', 21, 'fail'], ['tree', 20, 'fail']]);
});
