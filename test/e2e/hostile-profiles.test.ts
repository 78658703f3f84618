// The profiles leak-track --explain stores in a DB, as a planter leaves them: wrong types in the
// profile rows (exit 2 naming the column, never 70), a stored Profile JSON of the wrong shape (left out
// with a message, the session's verdicts still reported), and strings full of terminal escapes (printed
// escaped in text, JSON, HTML and leak-check). Each case runs the real binaries under a time bound.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { runBin, type BinResult } from '../helpers/procs.js';
import { writeSession } from '../helpers/session-db.js';

const BOUND_MS = 30_000;
const RAW = /[\x1b\x07\x9b]/;
let dir = '';

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ld-hostile-profiles-'));
});

const PROFILE = {
  target: { pid: 4242, runtime: 'python' },
  snapshots: [{ t_s: 0, file: 'F', objects: 10, bytes: 100 }, { t_s: 60, file: 'F', objects: 20, bytes: 2_000_000 }],
  growing: [{ type: 'TYPE', counts: [1, 2], bytes: [100, 2_000_000], count_delta: 1, bytes_delta: 1_999_900, bytes_per_min: 1_999_900, retainer_path: 'HOLD', note: 'NOTE', clusters: [{ path: 'CP', count: 1, retained_bytes: 5, share: 1 }] }],
  warnings: ['W'],
  budget: { runtime: 'python', window_s: 60, uss_first: 1, uss_last: 3_000_000, uss_delta: 2_999_999, parts: [{ key: 'K', label: 'L', bytes: 2_999_999 }], dominant: 'K', verdict: 'V' },
  native_sites: { seconds: 5, sites: [{ site: 'S', bytes: 100_000, allocations: 3 }], note: 'N' },
  trim: { uss_before: 1, uss_after_gc: 1, uss_after: 1, given_back: 0, free_before: 0, free_after: 0, fragmentation: false, pause_s: 0.1, verdict: 'TV' },
};

/** A growing session with one stored profile; `row` overrides the profile row's columns (raw SQL values). */
function dbWithProfile(name: string, reportJson: string | null, row: Record<string, string> = {}): string {
  const f = path.join(dir, `${name}.db`);
  writeSession(f, 'grow', 1, 120, [{ info: { pid: 4242, ppid: 1, role: 'main', name: 'python', cmdline: 'python train.py' }, mb: (t) => 100 + t }]);
  const db = new Database(f);
  db.pragma('ignore_check_constraints = ON'); // a planter is not bound by our CHECKs
  const t0 = (db.prepare('SELECT min(t_ms) AS t FROM samples').get() as { t: number }).t;
  const cols: Record<string, string> = { session_id: '1', process_id: '1', pid: '4242', runtime: "'python'", started_ms: String(t0 + 30_000), ended_ms: String(t0 + 40_000), status: "'done'", trigger_rate: '5', trigger_lo: '1', trigger_hi: '9', message: 'NULL', report_json: '?', ...row };
  db.prepare(`INSERT INTO profiles (${Object.keys(cols).join(', ')}) VALUES (${Object.values(cols).join(', ')})`).run(reportJson);
  db.exec(`INSERT INTO profile_windows VALUES (1, ${t0 + 30_000}, ${t0 + 31_000}, 'paused')`);
  db.close();
  return f;
}

const report = (args: string[]) => runBin('leak-report', args, { timeoutMs: BOUND_MS });

function assertClean(r: BinResult, code: number): void {
  assert.equal(r.code, code, `exit ${r.code}, want ${code}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.doesNotMatch(r.stdout + r.stderr, RAW, 'no raw control character reaches the terminal');
}

test('profile rows of the wrong type: exit 2, one line naming the DB, session, profile and column (was 70 or believed)', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ pid: "'x'" }, /session 1 profile 1: column pid holds `x` \(text\), not a process id/],
    [{ started_ms: "'soon'" }, /column started_ms holds `soon` \(text\), not a time in whole milliseconds/],
    [{ started_ms: '1e300' }, /column started_ms holds `1\.0e\+300` \(real\)/],
    [{ trigger_rate: "'abc'" }, /column trigger_rate holds `abc` \(text\), not a rate in MB\/min/],
    [{ status: "'king'" }, /column status holds `king` \(text\), not running, done, failed or interrupted/],
  ];
  for (const [row, re] of cases) {
    const f = dbWithProfile(`row-${Object.keys(row)[0]}-${cases.findIndex((c) => c[0] === row)}`, JSON.stringify(PROFILE), row);
    for (const r of [await report(['--db', f]), await runBin('leak-check', ['--db', f, '--max-rate', '1', '--explain'], { timeoutMs: BOUND_MS })]) {
      assertClean(r, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
    }
  }
});

test('a stored Profile JSON of the wrong shape is left out with a message; the session is still reported (was exit 70)', async () => {
  const cases: [string, RegExp][] = [
    [JSON.stringify({ ...PROFILE, growing: [{ type: 5, counts: 'x' }] }), /growing\[0\]\.type is not text/],
    [JSON.stringify({ ...PROFILE, target: null }), /target is not an object/],
    [JSON.stringify({ ...PROFILE, growing: [{ ...PROFILE.growing[0], counts: [1] }] }), /growing\[0\] has not one count and one size per snapshot/],
    [JSON.stringify({ ...PROFILE, budget: { ...PROFILE.budget, parts: 'all' } }), /budget\.parts is not a list/],
    // `__proto__` from JSON.parse is an own key: it must not lend the copy a budget no check has seen.
    [JSON.stringify(PROFILE).replace(/"budget":/, '"__proto__":{"budget":{"parts":7}},"x":'), /.*/],
  ];
  for (const [json, re] of cases) {
    const f = dbWithProfile(`shape-${cases.findIndex((c) => c[0] === json)}`, json);
    const j = await report(['--db', f, '--json']);
    assertClean(j, 0);
    const e = (JSON.parse(j.stdout) as { explain: { message: string | null }[] }).explain[0]!;
    if (!json.includes('__proto__')) assert.match(e.message ?? '', new RegExp(`the stored profile result is damaged \\(${re.source}\\) and was left out`));
    assertClean(await report(['--db', f]), 0);
    assertClean(await report(['--db', f, '--html', path.join(dir, `${path.basename(f)}.html`)]), 0);
    assertClean(await runBin('leak-check', ['--db', f, '--max-rate', '1', '--explain'], { timeoutMs: BOUND_MS }), 1);
  }
});

test('every string of a stored profile (types, holders, budget, native sites, trim, message, runtime) is printed escaped', async () => {
  const X = '\x1b]0;pwn\x07';
  const json = JSON.stringify(PROFILE).replace(/"(TYPE|HOLD|NOTE|CP|W|K|L|V|S|N|TV|F)"/g, (_m, s: string) => JSON.stringify(`${X}${s}`));
  const f = dbWithProfile('escapes', json, { runtime: "'py' || char(27) || ']0;rt' || char(7)", message: "char(27) || ']0;msg' || char(7)" });
  const text = await report(['--db', f]);
  assertClean(text, 0);
  for (const s of ['TYPE', 'HOLD', 'NOTE', 'L', 'V', 'S', 'N', 'TV', 'F', 'W']) assert.ok(text.stdout.includes(`\\x1b]0;pwn\\x07${s}`), `${s} shown escaped:\n${text.stdout}`);
  const j = await report(['--db', f, '--json']);
  assertClean(j, 0);
  const raw: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'string') (RAW.test(v) ? raw.push(at) : null);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  walk(JSON.parse(j.stdout), '');
  assert.deepEqual(raw, [], 'no string of the Report JSON holds a raw control character (jq -r would print it)');
  const html = path.join(dir, 'escapes.html');
  assertClean(await report(['--db', f, '--html', html]), 0);
  assert.doesNotMatch(readFileSync(html, 'utf8'), RAW);
  assertClean(await runBin('leak-check', ['--db', f, '--max-rate', '1', '--explain'], { timeoutMs: BOUND_MS }), 1);
});
