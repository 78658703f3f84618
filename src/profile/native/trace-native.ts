// --native-sites: bpftrace attached to the target's libc for the profile's window (no restart), then
// the unfreed bytes by call site. Where this machine cannot (no bpftrace, no uprobes, not root), one
// line says why and the profile goes on without it.
import { execFile, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { escapeControl } from '../../text/escape.js';
import { sitesScript } from './sites-script.js';
import { parseMaps, parseSites, rankSites, type NativeSite } from './sites-parse.js';

export interface NativeSites {
  seconds: number;
  sites: NativeSite[];
  /** What the numbers are and are not (printed under them). */
  note: string;
}

export interface NativeTrace {
  /** Stop tracing and read the sites (or a one-line reason there are none). */
  stop(): Promise<NativeSites | string>;
  /** Who is slowed while tracing, for the line said when it starts (see traceScope). */
  scope: string;
}

/**
 * Who the uprobes slow, from `bpftrace --version`: bpftrace before 0.20 ignores -p for a shared
 * library's uprobes (bpftrace#2817, fixed by #2830), so every process that maps the same libc traps into
 * the kernel at each malloc/free (the BPF program then drops the others' calls): measured 150× slower
 * for an untraced bystander (bench/README.md §7). Pure.
 */
export function traceScope(versionText: string, pid: number): string {
  const m = /v?(\d+)\.(\d+)/.exec(versionText);
  const limited = m !== null && (Number(m[1]) > 0 || Number(m[2]) >= 20);
  return limited
    ? `only PID ${pid}'s malloc/free run slower meanwhile (10-150×)`
    : `EVERY process on this machine that uses the same libc runs its malloc/free 10-150× slower meanwhile, not only PID ${pid} (bpftrace ${m ? `${m[1]}.${m[2]}` : '(version unknown)'} cannot limit uprobes in a shared library to one process; 0.20 can)`;
}

/** `bpftrace --version`, asked before the probes attach: once they are, its own mallocs trap too (~10 s here). */
function bpftraceVersion(): Promise<string> {
  return new Promise((res) => execFile('bpftrace', ['--version'], { encoding: 'utf8', timeout: 10_000 }, (_e, out) => res(typeof out === 'string' ? out.slice(0, 100) : '')));
}

/** Live allocations followed at most (bpftrace map size); beyond it new ones are not counted. */
export const MAX_LIVE = 262_144;
const NOTE = `allocations made while tracing and not freed by its end, by the function that called malloc/calloc/realloc (memory from before is not seen; at most ${MAX_LIVE.toLocaleString('en-US')} live allocations followed)`;

/**
 * The path of the target's libc as bpftrace can open it (through /proc/PID/root: containers too), or
 * why there is none to trust. The target chooses what it maps: a copy of libc it owns (dlopen'ed, so
 * mapped first) would have root's bpftrace parse the target's ELF and count nothing of the real
 * malloc; a path with a blank or a quote cannot go into the program. So the file must be executable-
 * mapped, root's, written by nobody else, in directories only root can change.
 */
function targetLibc(pid: number): string | { why: string } {
  let maps: string;
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return { why: `PID ${pid}'s memory map cannot be read` };
  }
  const libs = [...new Set(parseMaps(maps).filter((m) => m.exec && /\/libc(\.so\.6|-[\d.]+\.so)$/.test(m.path)).map((m) => m.path))];
  if (libs.length === 0) return { why: `PID ${pid} has no glibc libc.so.6 mapped (static binary or another libc)` };
  const whys: string[] = [];
  for (const lib of libs) {
    const why = untrusted(`/proc/${pid}/root`, lib);
    if (!why) return `/proc/${pid}/root${lib}`;
    whys.push(`${escapeControl(lib)} ${why}`);
  }
  return { why: `PID ${pid}'s libc is not one root's bpftrace may open: ${whys.join('; ')}` };
}

/** Why `file` (absolute, seen under `root`) is not root's and unchangeable by others; null when it is. */
function untrusted(root: string, file: string): string | null {
  if (!/^[\w./+-]+$/.test(file)) return 'has characters a bpftrace probe cannot name';
  const parts = file.split('/').filter(Boolean);
  for (let i = parts.length; i >= 0; i--) {
    const at = path.join(root, ...parts.slice(0, i));
    let st;
    try {
      st = statSync(at);
    } catch {
      return 'cannot be looked at (gone?)';
    }
    const last = i === parts.length;
    if (last && !st.isFile()) return 'is not a regular file';
    if (st.uid !== 0) return `${last ? 'belongs' : `is in ${escapeControl('/' + parts.slice(0, i).join('/'))}, which belongs`} to uid ${st.uid}, not root`;
    if ((st.mode & 0o022) !== 0 && (last || (st.mode & 0o1000) === 0)) return `${last ? 'is' : `is in ${escapeControl('/' + parts.slice(0, i).join('/'))}, which is`} writable by others`;
  }
  return null;
}

/** Attach; resolves once the probes are live, or with the reason they cannot be. `maxSeconds` bounds it even if we die. */
export function startNativeTrace(pid: number, maxSeconds: number): Promise<NativeTrace | string> {
  const libc = targetLibc(pid);
  if (typeof libc !== 'string') return Promise.resolve(libc.why);
  const program = `interval:s:${Math.ceil(maxSeconds)} { exit(); }\n${sitesScript(pid, libc)}`;
  const t0 = Date.now();
  const version = bpftraceVersion();
  return new Promise((resolve) => {
    let out = '', err = '', attached = false;
    // -p: from bpftrace 0.20 the uprobes then trap in the target only (see traceScope).
    const child = spawn('bpftrace', ['-p', String(pid), '-e', program], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BPFTRACE_MAP_KEYS_MAX: String(MAX_LIVE) } });
    const exited = new Promise<void>((res) => child.once('close', () => res()));
    child.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ENOENT' ? 'bpftrace is not installed (Debian: apt-get install bpftrace)' : `bpftrace could not start: ${e.code}`));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (!attached && /^attached$/m.test(out)) {
        attached = true;
        void version.then((v) => resolveWith(traceScope(v, pid)));
      }
    });
    const resolveWith = (scope: string) =>
      resolve({
          scope,
          async stop() {
            const seconds = (Date.now() - t0) / 1000;
            child.kill('SIGINT'); // bpftrace prints its maps and exits
            let killed = false;
            const killer = setTimeout(() => ((killed = true), child.kill('SIGKILL')), 20_000);
            await exited;
            clearTimeout(killer);
            // No maps printed is not "no sites": say why there is no list rather than show an empty one
            if (killed) return `bpftrace did not print what it followed within 20 s of being asked to stop (a saturated box?); no native sites`;
            if (child.exitCode !== 0 && child.exitCode !== null) return `bpftrace ended with exit code ${child.exitCode} before printing what it followed: ${firstError(err)}`;
            let maps = '';
            try {
              maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
            } catch {
              return `PID ${pid} exited before its native allocation sites could be named`;
            }
            return { seconds: Math.round(seconds * 10) / 10, sites: rankSites(parseSites(out), parseMaps(maps), 15), note: `${NOTE}. While tracing, ${scope}` };
          },
      });
    void exited.then(() => {
      if (!attached) resolve(`bpftrace cannot attach uprobes to PID ${pid} here: ${firstError(err)}`);
    });
  });
}

/** bpftrace's first real error (not its complaint about RLIMIT_MEMLOCK, which it survives). */
function firstError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/RLIMIT_MEMLOCK|failed to detach|uprobe_events/.test(l));
  return (lines.find((l) => /^ERROR/.test(l)) ?? lines[0] ?? 'it exited without a word').replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}
