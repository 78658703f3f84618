// Where a Node process's inspector would listen if SIGUSR1 opened it: the last --inspect*/
// --inspect-port/--debug-port host and port in NODE_OPTIONS (from /proc/PID/environ, applied first)
// and then its command line (/proc/PID/cmdline). Used to refuse, before signalling, a target whose
// inspector would open beyond loopback (remote code execution for anyone who can reach the host).
import { readFileSync } from 'node:fs';

export interface InspectAddress {
  host: string;
  port: number;
  /** The option that set the host, for messages ("--inspect-port=0.0.0.0:9229 in NODE_OPTIONS"). */
  source: string | null;
}

const HOST_PORT_OPTS = /^--(inspect|inspect-brk|inspect-wait|inspect-port|debug-port)(?:=(.*))?$/;
/** Options whose value may come as the next argument (so that argument is not the script). */
const TAKES_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-e', '--eval', '-p', '--print', '--inspect-port', '--debug-port', '-C', '--conditions', '--input-type', '--title', '--env-file', '--redirect-warnings', '--stack-trace-limit']);

/** Is `host` a loopback name or address (127/8, ::1, localhost)? */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

/** Split Node's `[host:]port` (or a bare host) the way node_options.cc does. */
function splitHostPort(v: string): { host?: string; port?: number } {
  if (/^\d+$/.test(v)) return { port: Number(v) };
  const m = /^(\[[^\]]*\]|[^:]*|.*):(\d+)$/.exec(v);
  if (m && (m[1]!.startsWith('[') || !m[1]!.includes(':'))) return { host: m[1]!, port: Number(m[2]) };
  return { host: v };
}

/** Apply the inspector options among `args` (stopping at the script name) to `acc`. */
export function applyInspectArgs(args: string[], where: string, acc: InspectAddress, stopAtScript: boolean): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    const m = HOST_PORT_OPTS.exec(a);
    if (m) {
      let v = m[2];
      if (v === undefined && (m[1] === 'inspect-port' || m[1] === 'debug-port')) v = args[++i];
      if (v !== undefined && v !== '') {
        const hp = splitHostPort(v);
        if (hp.host !== undefined) (acc.host = hp.host), (acc.source = `${a}${m[2] === undefined ? ` ${v}` : ''} in ${where}`);
        if (hp.port !== undefined) acc.port = hp.port;
      }
      continue;
    }
    if (TAKES_VALUE.has(a)) i++;
    else if (stopAtScript && !a.startsWith('-')) break;
  }
}

/** Where `pid`'s inspector would open: NODE_OPTIONS first, then the command line after argv[0]. */
export function inspectAddress(pid: number): InspectAddress {
  const acc: InspectAddress = { host: '127.0.0.1', port: 9229, source: null };
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const opts = env.find((e) => e.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length);
    if (opts) applyInspectArgs(opts.trim().split(/\s+/), 'NODE_OPTIONS', acc, false);
  } catch {
    /* unreadable environ: the command line still counts, and the address is checked again once open */
  }
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((x, i, all) => x !== '' || i < all.length - 1);
    applyInspectArgs(argv.slice(1), 'its command line', acc, true);
  } catch {
    /* gone: the caller finds out */
  }
  return acc;
}
