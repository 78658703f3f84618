// leak-track --prometheus / --textfile end to end: what is served and written is valid for promtool,
// carries the rank labels of the target's environment and never a PID; the textfile is replaced
// atomically and removed at the end; bad flags are one line and exit 2 before anything is tracked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { PYTHON, collect, runBin, startBin } from '../helpers/procs.js';
import { waitUntil } from '../helpers/wait.js';
import { FIXTURES, PROGRAMS } from '../helpers/paths.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'ld-export-'));

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
async function freePort(): Promise<number> {
  const s = await listen();
  const p = portOf(s);
  await new Promise((r) => s.close(r));
  return p;
}

const checkMetrics = (text: string) => spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });

test('a job with a GPU: /metrics (text and OpenMetrics) and the textfile carry its RANK, USS, VRAM and state; cleaned up at exit', async () => {
  const dir = tmp();
  const textDir = path.join(dir, 'textfile');
  mkdirSync(textDir);
  const port = await freePort();
  const job = spawn(PYTHON, [path.join(PROGRAMS, 'leaker.py'), '--rate', '30', '--lifetime', '600', '--base', '5'], {
    env: { ...process.env, RANK: '5', LOCAL_RANK: '1', WORLD_SIZE: '8' },
    stdio: 'ignore',
  });
  // No GPU here: the nvidia-smi stand-in replays a frame that gives the job 2,048 MiB.
  const frames = path.join(dir, 'smi.txt');
  writeFileSync(frames, '{PID0}, 2048\n');
  const tracker = startBin(
    'leak-track',
    [String(job.pid), '8s', '0.5', '--db', path.join(dir, 't.db'), '--prometheus', `127.0.0.1:${port}`, '--textfile', textDir, '--job', 'unit-test', '--quiet'],
    { env: { PATH: `${path.join(FIXTURES, 'bin')}:${process.env.PATH}`, NVIDIA_SMI_REPLAY: frames, NVIDIA_SMI_PIDS: String(job.pid) } },
  );
  const done = collect(tracker);
  // Up and through its first analysis (the classification) and nvidia-smi reading, the textfile written.
  const file = path.join(textDir, `leak-detective-${tracker.pid}.prom`);
  await waitUntil('the USS, VRAM and classification series and the textfile', async () => {
    const b = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
    return /memory_bytes\{type="uss"/.test(b) && /memory_bytes\{type="vram"/.test(b) && /^leak_detective_classification\{/m.test(b) && existsSync(file);
  }, { everyMs: 100 });
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const body = await res.text();
  assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const check = checkMetrics(body);
  assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
  // The name label is the process's own name, exactly (never with a PID in it: `python3-4242` must fail).
  const comm = readFileSync(`/proc/${job.pid}/comm`, 'utf8').trim();
  const uss = new RegExp(`^leak_detective_process_memory_bytes\\{type="uss",role="main",name="${comm.replace(/\./g, '\\.')}",rank="5",local_rank="1",world_size="8",job="unit-test"\\} (\\d+)$`, 'm').exec(body);
  assert.ok(uss, body);
  const mb = Number(uss[1]) / 1048576;
  assert.ok(mb > 5 && mb < 200, `USS ${mb} MB`);
  assert.match(body, /^leak_detective_process_memory_bytes\{type="vram",role="main",.*rank="5".*\} 2147483648$/m);
  assert.match(body, /^leak_detective_classification\{state="insufficient-data",role="main",.*\} 1$/m);
  assert.match(body, /^leak_detective_samples_total [1-9]\d*$/m);
  assert.match(body, /^leak_detective_build_info\{version="\d+\.\d+\.\d+",nodeversion="[\d.]+"\} 1$/m);
  assert.doesNotMatch(body, /pid=|cmdline=|leaker\.py/, 'no PID or command line in any label');

  const om = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { Accept: 'application/openmetrics-text; version=1.0.0' } });
  assert.match(om.headers.get('content-type')!, /^application\/openmetrics-text; version=1\.0\.0/);
  const omBody = await om.text();
  assert.match(omBody, /^# TYPE leak_detective_samples counter\nleak_detective_samples_total \d+$/m);
  assert.match(omBody, /\n# EOF\n$/);
  // …and the classic format keeps `_total` after an OpenMetrics scrape.
  assert.match(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /^# TYPE leak_detective_samples_total counter$/m);

  assert.ok(existsSync(file), `textfile ${file}: ${readdirSync(textDir).join(', ')}`);
  assert.equal(lstatSync(file).mode & 0o777, 0o644);
  const written = readFileSync(file, 'utf8');
  assert.equal(checkMetrics(written).status, 0, written);
  assert.match(written, /rank="5"/);

  const r = await done;
  job.kill();
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(textDir), [], 'the textfile (and no temp file) is left behind');
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`), 'the port is closed at exit');
  rmSync(dir, { recursive: true, force: true });
});

test('bad exporter flags: one line, exit 2, nothing launched', async () => {
  const dir = tmp();
  const busy = await listen();
  const link = path.join(dir, 'link');
  symlinkSync(dir, link);
  const marker = path.join(dir, 'launched');
  const cases: [string[], RegExp][] = [
    [['--prometheus', 'abc'], /--prometheus must be \[HOST:\]PORT.*got `abc`/],
    [['--prometheus', '70000'], /--prometheus must be \[HOST:\]PORT.*got `70000`/],
    [['--prometheus', `127.0.0.1:${portOf(busy)}`], new RegExp(`--prometheus 127\\.0\\.0\\.1:${portOf(busy)}: the port is in use`)],
    [['--prometheus', '192.0.2.77:9464'], /no such address on this machine/],
    [['--textfile', path.join(dir, 'missing')], /--textfile .*missing: no such directory/],
    [['--textfile', link], /--textfile .*link is a symbolic link/],
    [['--job', 'a b'], /--job must be 1–64 letters.*got `a b`/],
  ];
  try {
    for (const [flags, msg] of cases) {
      const r = await runBin('leak-track', ['2s', '0.5', '--db', path.join(dir, 't.db'), ...flags, '--', 'touch', marker]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, msg);
      assert.ok(!existsSync(marker), `${flags.join(' ')} launched the command`);
    }
  } finally {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad read-back flags: one line, the right exit code', async () => {
  const closed = await freePort();
  const web = (await import('node:http')).createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>not prometheus</html>'));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  const webUrl = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
  const cases: [string, string[], number, RegExp][] = [
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090'], 2, /--prometheus needs --query SELECTOR/],
    ['leak-report', ['--query', 'up'], 2, /--query goes with --prometheus URL/],
    ['leak-report', ['--prometheus', 'ftp://x', '--query', 'up'], 2, /must be an http:\/\/ or https:\/\/ URL, got `ftp:\/\/x`/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090', '--query', 'up', '--db', 'x.db'], 2, /drop --db/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090', '--query', 'up', '--since', 'yesterday'], 2, /--since must be a positive duration.*`yesterday`/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090', '--query', 'up', '--unit', 'parsecs'], 2, /--unit must be one of .*`parsecs`/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090', '--query', 'up', '--metric', 'uss'], 2, /--metric does not apply to --prometheus/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090', '--query', 'rate(up[5m])'], 2, /--query must be a series selector .* got `rate\(up\[5m\]\)`/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090', '--query', 'up', '--timeout', '0s'], 2, /--timeout must be|--timeout must be a positive duration/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090', '--query', 'up', '--until', 'tomorrow'], 2, /--until must be a time, RFC 3339/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:9090', '--query', 'up', '--workers', '-1'], 2, /--workers must be a whole number from 0 to 64/],
    ['leak-check', ['--prometheus', `http://127.0.0.1:${closed}`, '--query', 'up', '--max-rate', '50'], 3, /cannot reach the Prometheus API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/],
    ['leak-report', ['--prometheus', 'http://127.0.0.1:1', '--query', 'up'], 3, /cannot reach the Prometheus API at http:\/\/127\.0\.0\.1:1 \(bad port\)/],
    ['leak-report', ['--prometheus', webUrl, '--query', 'up'], 2, /did not answer api\/v1\/series as the Prometheus API does \(HTTP 200: <html>not prometheus<\/html>\)/],
  ];
  try {
    for (const [bin, args, code, msg] of cases) {
      const r = await runBin(bin, args);
      assert.equal(r.code, code, `${bin} ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, msg);
      assert.equal(r.stdout, '');
    }
  } finally {
    web.close();
  }
});
