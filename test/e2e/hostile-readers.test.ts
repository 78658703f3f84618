// Files another user can hand the readers: traces and psrecord logs, special files in place of a
// trace or a snapshot, DBs with planted views, triggers and bad values, names full of terminal
// escapes. Each case runs the real binary under a time bound (a hang fails the test) and must end in
// one line on stderr with exit 2 (input), never 70, never a raw ESC or BEL on the terminal.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { runBin, type BinResult } from '../helpers/procs.js';
import { writeSession } from '../helpers/session-db.js';
import { FIXTURES } from '../helpers/paths.js';

const HOSTILE = '\x1b]0;pwned\x07\x1b[2J';
const BOUND_MS = 30_000; // a case that has not ended by then hangs
let dir = '';

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ld-hostile-readers-'));
});

const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

/** No terminal control reaches the user's screen from any stream. */
function assertNoRawControl(r: BinResult): void {
  for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    assert.doesNotMatch(text, /[\x1b\x07\x9b\u202e]/, `${stream} carries a raw control character: ${JSON.stringify(text.slice(0, 400))}`);
  }
}

/** Exit `code` exactly, one line on stderr matching `re`, no stack, no internal error. */
function assertRefused(r: BinResult, code: number, re: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}, want ${code}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assertNoRawControl(r);
}

const report = (args: string[]) => runBin('leak-report', args, { timeoutMs: BOUND_MS });

const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('');

test('traces: a column named twice, 0x numbers and a malformed line before the last are refused, naming the line', async () => {
  const cases: [string, RegExp][] = [
    [`t_s,uss_bytes,uss_bytes\n${rows(12, (i) => `${i},${1e8 + i * 1e6},5\n`)}`, /line 1: column uss_bytes appears more than once/],
    [`t_s,uss_bytes\n0,100\n1,0x10\n`, /line 3: uss_bytes must be a non-negative number, got `0x10`/],
    [`t_s,uss_bytes\n0x1,100\n`, /line 2: t_s must be a non-negative number of seconds, got `0x1`/],
    [`t_s,uss_bytes\n${rows(12, (i) => `${i},${1e8 + i * 1e6}\n`)}12,1e\n13,10`, /line 14: uss_bytes must be a non-negative number, got `1e`/],
    [`# Elapsed time   CPU (%)     Real (MB)   Virtual (MB)\n0 0 0x10 1\n`, /line 2: expected 4 numbers/],
  ];
  for (const [text, re] of cases) assertRefused(await report(['--trace', file('bad.csv', text)]), 2, re);
  // 300 MB with no newline (a sparse file: NULs) was glued and split again each MiB, quadratic: minutes.
  const long = file('long.csv', 't_s,uss_bytes\n0,1\n');
  truncateSync(long, 300 * 1048576);
  assertRefused(await report(['--trace', long]), 2, /long\.csv: line 3 is over 1 MiB long: not a line of a trace/);
});

test('a last line with no newline (cut mid-number, or a psrecord log still being written) is left out with one line on stderr, never believed', async () => {
  const cut = file('cut.csv', `t_s,uss_bytes\n${rows(12, (i) => `${i},${1e8 + i * 1e6}\n`)}12,10`);
  const r = await report(['--trace', cut, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, `leak-report: trace ${cut}: its last line (line 14, \`12,10\`) has no newline (still being written?): left out\n`);
  const p = (JSON.parse(r.stdout) as { processes: { samples: number; last_mb: number }[] }).processes[0]!;
  assert.equal(p.samples, 12, 'the 13 complete lines: a header and 12 samples');
  assert.ok(p.last_mb > 100, `the last value is line 13's, not the cut 10 bytes: ${p.last_mb}`);
  assert.equal((await report(['--trace', cut, '--quiet'])).stderr, '', '--quiet: nothing but errors');
  // A real psrecord log (recorded from a process leaking 300 MB/min) cut in the middle of its last line.
  const log = readFileSync(path.join(FIXTURES, 'recordings', 'steady-leaker-300.psrecord.log'), 'utf8');
  const lines = log.trimEnd().split('\n');
  const live = file('live.psrecord.log', `${lines.slice(0, -1).join('\n')}\n${lines.at(-1)!.slice(0, 30)}`);
  const c = await runBin('leak-check', ['--trace', live, '--max-rate', '200'], { timeoutMs: BOUND_MS });
  assert.equal(c.code, 1, c.stdout + c.stderr);
  assert.match(c.stdout, /^FAIL psrecord 0: growing/m);
  assert.match(c.stderr, new RegExp(`^leak-check: trace .*live\\.psrecord\\.log: its last line \\(line ${lines.length}, \`.*\`\\) has no newline \\(still being written\\?\\): left out\n$`));
  assertNoRawControl(c);
});

test('a FIFO, /dev/zero, a directory or a socket given as a trace or a snapshot is refused at once, not read', async () => {
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const sub = path.join(dir, 'a-dir');
  mkdirSync(sub);
  const sock = path.join(dir, 'sock');
  const server: Server = createServer();
  await new Promise<void>((res) => server.listen(sock, res));
  try {
    const kinds: [string, RegExp][] = [[fifo, /a FIFO \(named pipe\)/], ['/dev/zero', /a character device/], [sub, /a directory/], [sock, /a socket/], [blockDevice(), /a block device/]];
    for (const [f, re] of kinds) {
      assertRefused(await report(['--trace', f]), 2, new RegExp(`refusing trace ${f}: it is ${re.source}, not a regular file`));
      if (f === fifo) assertRefused(await runBin('leak-check', ['--trace', f, '--max-rate', '1'], { timeoutMs: BOUND_MS }), 2, re);
      const good = path.join(dir, 'missing-is-fine.heapsnapshot');
      const p = await runBin('leak-profile', ['--snapshot', f, good], { timeoutMs: BOUND_MS });
      assertRefused(p, 2, new RegExp(`refusing snapshot ${f}: it is ${re.source}`));
    }
  } finally {
    server.close();
  }
});

/** A block device node: made here (a loop device's numbers) as root, else the first one in /dev. */
function blockDevice(): string {
  const blk = path.join(dir, 'blk');
  try {
    execFileSync('mknod', [blk, 'b', '7', '250'], { stdio: 'ignore' });
    return blk;
  } catch {
    const found = readdirSync('/dev').map((n) => `/dev/${n}`).find((f) => statSync(f, { throwIfNoEntry: false })?.isBlockDevice());
    assert.ok(found, 'no block device to try: mknod needs root and /dev has none');
    return found;
  }
}

/** A good DB of one session (main + child), then `sql` run on it as its planter would. */
function plantedDb(name: string, sql: string, info = { name: 'python', cmdline: 'python train.py' }): string {
  const f = path.join(dir, `${name}.db`);
  writeSession(f, 'hostile', 1, 40, [
    { info: { pid: 4242, ppid: 1, role: 'main', ...info }, mb: (t) => 100 + t },
    { info: { pid: 4243, ppid: 4242, role: 'child', name: 'worker', cmdline: 'python worker' }, mb: () => 50 },
  ]);
  const db = new Database(f);
  db.exec(sql);
  db.close();
  return f;
}

test('DBs: a samples VIEW over an endless recursive CTE, a planted trigger, an extra table are refused before any row is read', async () => {
  const view = plantedDb(
    'view',
    `DROP TABLE samples;
     CREATE VIEW samples AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
       SELECT 1 AS process_id, x AS t_ms, x AS rss, x AS uss, x AS pss, 0 AS swap, NULL AS vram, 0.0 AS cpu FROM c;
     CREATE INDEX samples_by_time ON processes (pid);`,
  );
  assertRefused(await report(['--db', view]), 2, /view.db: `samples` is a view on samples, where leak-track makes a table on samples; .*not read/);
  const trigger = plantedDb('trigger', `CREATE TRIGGER eat AFTER INSERT ON samples BEGIN DELETE FROM samples; END;`);
  assertRefused(await report(['--db', trigger]), 2, /trigger.db: it holds a trigger `eat` that leak-track never creates/);
  // The writer refuses it too: a tracker's inserts would fire it.
  assertRefused(await runBin('leak-track', [String(process.pid), '1s', '0.2', '--db', trigger], { timeoutMs: BOUND_MS }), 2, /trigger `eat`/);
  const extra = plantedDb('extra', `CREATE TABLE notes (x TEXT);`);
  assertRefused(await report(['--db', extra]), 2, /it holds a table `notes`/);
  const generated = plantedDb('generated', `ALTER TABLE processes ADD COLUMN big BLOB AS (zeroblob(1000000000));`);
  assertRefused(await report(['--db', generated]), 2, /table `processes` does not have the columns/);
});

test('DBs: bad sample values are refused naming the DB, session, pid and column (never 70)', async () => {
  const cases: [string, string, RegExp][] = [
    ['lots', `UPDATE samples SET uss = 'lots' WHERE t_ms = (SELECT max(t_ms) FROM samples)`, /lots.db: session 1 pid 424\d: column uss holds `lots` \(text\), not a size in bytes/],
    ['inf', `UPDATE samples SET pss = 1e400`, /inf.db: session 1 pid 424\d: column pss holds `Infinity` \(real\)/],
    ['negative', `UPDATE samples SET rss = -5 WHERE process_id = 2`, /negative.db: session 1 pid 4243: column rss holds `-5` \(integer\)/],
    ['blob', `UPDATE samples SET vram = x'00ff'`, /column vram holds `2 bytes` \(blob\)/],
    ['time', `UPDATE samples SET t_ms = 'soon' WHERE process_id = 1 AND t_ms = (SELECT min(t_ms) FROM samples)`, /column t_ms holds `soon` \(text\)/],
    ['pid', `UPDATE processes SET pid = 'x' WHERE pid = 4243`, /session 1 \(process row \d+\): column pid holds `x` \(text\)/],
    ['limit', `UPDATE sessions SET mem_limit_bytes = -1073741824000`, /limit.db: session 1: column mem_limit_bytes holds `-1073741824000` \(integer\), not a size in bytes/],
    ['limit-text', `UPDATE sessions SET mem_limit_bytes = 'abc'`, /column mem_limit_bytes holds `abc` \(text\)/],
    ['limit-inf', `UPDATE sessions SET mem_limit_bytes = 1e400`, /column mem_limit_bytes holds `Infinity` \(real\)/],
    ['started', `UPDATE sessions SET started_at = 'zzz'`, /started.db: session 1: column started_at holds `zzz` \(text\), not an ISO 8601 time/],
    ['started-blob', `UPDATE sessions SET started_at = x'00ff'`, /column started_at holds `2 bytes` \(blob\), not an ISO 8601 time/],
    ['started-esc', `UPDATE sessions SET started_at = '2026-13-45T99:00:00Z' || char(27) || ']0;x' || char(7)`, /column started_at holds `2026-13-45T99:00:00Z\\x1b\]0;x\\x07` \(text\)/],
    ['ended', `UPDATE sessions SET ended_at = 'yesterday'`, /ended.db: session 1: column ended_at holds `yesterday` \(text\), not an ISO 8601 time .*, or NULL/],
    ['ended-month', `UPDATE sessions SET ended_at = '2026-02-30T00:00:00.000Z'`, /column ended_at holds `2026-02-30T00:00:00\.000Z`/],
    ['limit-source', `UPDATE sessions SET mem_limit_bytes = 1073741824, mem_limit_source = x'1b'`, /column mem_limit_source holds `1 bytes` \(blob\), not text/],
  ];
  for (const [name, sql, re] of cases) {
    const f = plantedDb(name, sql);
    assertRefused(await report(['--db', f]), 2, re);
    if (name === 'lots') assertRefused(await runBin('leak-check', ['--db', f, '--max-rate', '1'], { timeoutMs: BOUND_MS }), 2, re); // the same reader
  }
});

test('names from a DB or a trace reach no terminal raw; the JUnit file stays well-formed XML even with U+FFFF', async () => {
  const evil = `${HOSTILE}\u202eevil\uffff`; // (a lone surrogate cannot be stored as UTF-8: escape.test.ts has it)
  const db = plantedDb('names', `UPDATE sessions SET label = '${HOSTILE}'`, { name: evil, cmdline: `python ${evil}` });
  const text = await report(['--db', db]);
  assert.equal(text.code, 0, text.stderr);
  assertNoRawControl(text);
  assert.match(text.stdout, /\\x1b\]0;pwned\\x07\\x1b\[2J\\u\{202e\}evil\\u\{ffff\}/);
  const junit = path.join(dir, 'junit.xml');
  const check = await runBin('leak-check', ['--db', db, '--max-rate', '0.001', '--junit', junit], { timeoutMs: BOUND_MS, env: { GITHUB_ACTIONS: 'true' } });
  assert.equal(check.code, 1, check.stderr);
  assertNoRawControl(check);
  assert.match(check.stdout, /^::error title=leak-check::.*\\x1b\]0;pwned/m);
  const xml = readFileSync(junit, 'utf8');
  assert.doesNotMatch(xml, /[\x00-\x08\x0b\x0c\x0e-\x1f\uffff\ufffe]/);
  // A real XML parser, not a regex, says whether CI can read it.
  const parsed = execFileSync('python3', ['-c', 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); print(r.find(".//testcase").get("name"))', junit], { encoding: 'utf8' });
  assert.match(parsed, /\\x1b\]0;pwned\\x07/);
  const trace = file('names.csv', `t_s,pid,name,uss_bytes\n${rows(12, (i) => `${i},7,${evil},${1e8 + i * 1e6}\n`)}`);
  const t = await report(['--trace', trace]);
  assert.equal(t.code, 0, t.stderr);
  assertNoRawControl(t);
  const json = await report(['--trace', trace, '--json']);
  assert.equal(JSON.parse(json.stdout).processes[0].name, escaped(evil));
  // A header quoted back in an error is escaped too.
  assertRefused(await report(['--trace', file('hdr.csv', `time,${HOSTILE}\n0,1\n`)]), 2, /header must have t_s .*\\x1b\]0;pwned\\x07/);
});

const escaped = (s: string) => s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/[\u202e\uffff]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
