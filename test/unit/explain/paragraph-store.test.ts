// The closing paragraph's words, the FAIL line's holder, and the stored profiles (schema 3) read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { explainParagraph, topHolder, budgetSentence } from '../../../src/explain/paragraph.js';
import { openDbForRead, openDbForWrite } from '../../../src/store/open-db.js';
import { SessionWriter } from '../../../src/store/session-writer.js';
import { ProfileRecorder, readProfiles, type StoredProfile } from '../../../src/store/profile-store.js';
import { SCHEMA_VERSION } from '../../../src/store/schema.js';
import { parseTrackArgs } from '../../../src/cli/commands/track-args.js';
import { LeakError } from '../../../src/errors.js';
import type { ProfileReport } from '../../../src/types.js';

const MiB = 1048576;
const report: ProfileReport = {
  target: { pid: 4242, runtime: 'python' },
  snapshots: [{ t_s: 0, file: null, objects: 1, bytes: 1 }, { t_s: 30, file: null, objects: 2, bytes: 2 }],
  growing: [
    { type: 'torch.Tensor', counts: [1, 2], bytes: [1, 2], count_delta: 502, bytes_delta: 45 * MiB, bytes_per_min: 90 * MiB, retainer_path: 'processor.image_processor._cache (dict, 502 items, 502 MB)' },
    { type: 'x\u001b[31m', counts: [1, 2], bytes: [1, 2], count_delta: 1, bytes_delta: MiB, bytes_per_min: 5 * MiB, retainer_path: null },
  ],
};
const stored = (over: Partial<StoredProfile>): StoredProfile => ({
  id: 1, processRowId: 1, pid: 4242, runtime: 'python', started_ms: 0, ended_ms: 1, status: 'done',
  trigger: { rate: 114, ci: [108, 120] }, message: null, report, windows: [], ...over,
});

test('the paragraph joins the verdict and what is inside; target text is escaped', () => {
  const p = explainParagraph({ label: 'python3 4242 (main)', rateText: 'growing 114 MB/min (108–120)' }, stored({}));
  assert.equal(p, 'python3 4242 (main) is growing 114 MB/min (108–120). Inside: torch.Tensor +90.0 MB/min kept in processor.image_processor._cache (dict, 502 items, 502 MB); x\\x1b[31m +5.00 MB/min held by an unknown holder.');
  assert.equal(topHolder(report), 'torch.Tensor kept in processor.image_processor._cache (dict, 502 items, 502 MB)');
});

test('a profile that could not be taken is one sentence; the verdict at the end is said when it is not growing', () => {
  const f = explainParagraph({ label: 'java 7 (main)', rateText: 'growing 5.00 MB/min (4.00–6.00)' }, stored({ status: 'failed', report: null, message: 'PID 7 runs java, not Node or CPython' }));
  assert.equal(f, 'java 7 (main) is growing 5.00 MB/min (4.00–6.00). No profile: PID 7 runs java, not Node or CPython.');
  const u = explainParagraph({ label: 'python3 4242 (main)', rateText: 'insufficient data' }, stored({}));
  assert.match(u, /^python3 4242 \(main\) was growing 114 MB\/min \(108–120\) when it was profiled \(over the whole session: insufficient data\)\. Inside: torch/);
});

test('the growth budget hook: a sentence once the Profile JSON carries it, nothing before', () => {
  assert.equal(budgetSentence(report), null);
  const MB = 1048576;
  const budget = {
    runtime: 'python' as const, window_s: 40, uss_first: 100 * MB, uss_last: 200 * MB, uss_delta: 100 * MB, dominant: 'python_objects', verdict: 'x',
    parts: [
      { key: 'python_objects', label: 'Python objects', bytes: 79 * MB },
      { key: 'allocator_free', label: 'free in the allocator', bytes: 1 * MB },
      { key: 'native', label: 'native (not visible to Python)', bytes: 20 * MB },
    ],
  };
  assert.equal(budgetSentence({ ...report, budget }), 'Python objects explain 79 % of the USS growth, the rest is mostly native (not visible to Python) (see the budget)');
  // USS that did not grow enough to split: no sentence rather than a share of nothing.
  assert.equal(budgetSentence({ ...report, budget: { ...budget, dominant: null } }), null);
});

test('profiles and their windows are stored with the session (schema 3) and read back', () => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'ld-explain-')), 't.db');
  const db = openDbForWrite(f);
  assert.equal(SCHEMA_VERSION, 3);
  const w = new SessionWriter(db, { label: 'x', interval_s: 1, target: 't' });
  const row = w.addProcess({ pid: 4242, ppid: 1, start_ticks: 5, name: 'python3', cmdline: 'python3 train.py', role: 'main' }, 1000);
  const rec = new ProfileRecorder(db, w.sessionId);
  const id = rec.start({ processRowId: row, pid: 4242, runtime: 'python', atMs: 2000, trigger: { rate: 114, ci: [108, 120] } });
  rec.window(id, { start_ms: 2100, end_ms: 2600, kind: 'paused' });
  rec.end(id, 3000, 'done', null, report);
  const id2 = rec.start({ processRowId: row, pid: 4242, runtime: null, atMs: 4000, trigger: null });
  db.close();
  const r = openDbForRead(f);
  const [a, b] = readProfiles(r, w.sessionId);
  r.close();
  assert.deepEqual(a!.windows, [{ start_ms: 2100, end_ms: 2600, kind: 'paused' }]);
  assert.equal(a!.report!.growing[0]!.type, 'torch.Tensor');
  assert.deepEqual(a!.trigger, { rate: 114, ci: [108, 120] });
  assert.equal(b!.id, id2);
  assert.equal(b!.status, 'running', 'a tracker killed mid-profile leaves it running');
});

test('--explain flags: a companion without --explain, and bad values, are usage errors', () => {
  const usage = (re: RegExp) => (e: unknown) => e instanceof LeakError && e.exitCode === 2 && re.test(e.message);
  assert.throws(() => parseTrackArgs(['4242', '--explain-max', '2'], {}), usage(/--explain-max works with --explain/));
  assert.throws(() => parseTrackArgs(['4242', '--explain', '--explain-max', '0'], {}), usage(/--explain-max must be a whole number/));
  assert.throws(() => parseTrackArgs(['4242', '--explain', '--explain-interval', '0.1'], {}), usage(/--explain-interval must be between/));
  assert.deepEqual(parseTrackArgs(['4242', '--explain'], {}).explain, { maxPerProcess: 1, intervalS: 15, outDir: null });
  assert.equal(parseTrackArgs(['4242'], {}).explain, null);
});

test('the paragraph names each memory once: an object and what it keeps, or the container that holds it, are the table\'s', () => {
  const g = (type: string, count_delta: number, perMin: number, retainer_path: string | null, retained?: number) => ({
    type, counts: [1, 2], bytes: [1, 2], count_delta, bytes_delta: perMin * MiB, bytes_per_min: perMin * MiB, retainer_path,
    ...(retained === undefined ? {} : { retained_bytes_per_min: retained * MiB }),
  });
  const para = (growing: ProfileReport['growing']) => explainParagraph({ label: 'p 1 (main)', rateText: 'growing 150 MB/min (149–151)' }, stored({ report: { ...report, growing } }));
  // leak-track --explain runs: py_processor_cache.py without torch; rec_dataloader.py's worker; node-holders.js --shape listener
  assert.equal(para([
    g('ProcessedImage', 332, 154.4, 'processor.image_processor._cache (dict, 1214 items, 76.0 MB)'),
    g('bytes', 334, 154.3, 'processor.image_processor._cache[k].pixel_values (dict, 1214 items, 76.0 MB)'),
    g('tuple', 55, 12, 'log.records (list, 5 items, 0.7 KB)'),
  ]), 'p 1 (main) is growing 150 MB/min (149–151). Inside: ProcessedImage +154 MB/min kept in processor.image_processor._cache (dict, 1214 items, 76.0 MB); tuple +12.0 MB/min kept in log.records (list, 5 items, 0.7 KB).');
  assert.doesNotMatch(para([
    g('numpy.ndarray', 160, 57.1, 'ds.kept (list, 456 items, 28.6 MB)'),
    g('list', 1, 57.1, 'torch._decomp.decomposition_table[k]._tags (dict, 916 items, 0.9 MB)'),
  ]), /list \+/);
  const node = para([
    g('PrefetchedBatch', 12, 0, 'loader._events.batch[…] → listener at node-holders.js:61 → batch (PrefetchedBatch)', 192.2),
    g('(closure)', 12, 0, 'loader._events.batch (Array)', 192.2),
    g('system / Context', 12, 0, 'loader._events.batch → listener at node-holders.js:61 (Array)', 192.2),
    g('Timeout', 3, 20, 'timers (Map)'),
  ]);
  assert.equal(node, 'p 1 (main) is growing 150 MB/min (149–151). Inside: PrefetchedBatch +192 MB/min kept in loader._events.batch[…] → listener at node-holders.js:61 → batch (PrefetchedBatch); Timeout +20.0 MB/min kept in timers (Map).');
  // two leaks at different rates, or at one rate in unrelated holders, are both named
  assert.match(para([g('A', 10, 50, 'x.a (list, 1 items, 1 MB)'), g('B', 10, 50, 'y.b (list, 1 items, 1 MB)')]), /A \+50\.0 MB\/min .*; B \+50\.0 MB\/min/);
  assert.match(para([g('A', 10, 50, 'x.a (list, 1 items, 1 MB)'), g('B', 10, 20, 'x.a[k].b (list, 1 items, 1 MB)')]), /; B \+20\.0 MB\/min/);
});

test('the paragraph leaves types growing under 5 % of the first\'s rate to the table', () => {
  // leak-track --find-training --explain on py_processor_cache.py --torch: "torch.Tensor +76.2 MB/min kept in
  // …; ProcessedImage +0.07 MB/min kept in …; int +0.03 MB/min kept in …"
  const g = (type: string, perMin: number) => ({ type, counts: [1, 2], bytes: [1, 2], count_delta: 255, bytes_delta: perMin * MiB, bytes_per_min: perMin * MiB, retainer_path: `c.${type} (dict, 719 items, 45.1 MB)` });
  const p = explainParagraph({ label: 'p 1 (main)', rateText: 'growing 75.7 MB/min (75.5–75.9)' }, stored({ report: { ...report, growing: [g('torch.Tensor', 76.2), g('ProcessedImage', 0.07), g('int', 0.03), g('Big', 5)] } }));
  assert.equal(p, 'p 1 (main) is growing 75.7 MB/min (75.5–75.9). Inside: torch.Tensor +76.2 MB/min kept in c.torch.Tensor (dict, 719 items, 45.1 MB); Big +5.00 MB/min kept in c.Big (dict, 719 items, 45.1 MB).');
});
