// Which TCP ports a process listens on, and on which address, from /proc: its socket inodes (in
// /proc/PID/fd) matched with the LISTEN entries of /proc/PID/net/tcp{,6}. Used to find the port its
// inspector really opened (9229 may be taken by another process), to refuse one that listens beyond
// loopback, to name who holds a port, and to verify the inspector closed again.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ListeningSocket {
  port: number;
  /** Printable local address: 127.0.0.1, 0.0.0.0, ::1, :: … */
  address: string;
  loopback: boolean;
}

/** Decode the hex local address of /proc/net/tcp{,6} (32-bit words in host byte order, little-endian here). */
function decodeAddress(hex: string): { address: string; loopback: boolean } {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => [6, 4, 2, 0].map((i) => parseInt(w.slice(i, i + 2), 16)));
  if (bytes.length === 4) return { address: bytes.join('.'), loopback: bytes[0] === 127 };
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return { address: `::ffff:${bytes.slice(12).join('.')}`, loopback: bytes[12] === 127 };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  const address = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  return { address, loopback: bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1 };
}

/** Parse /proc/net/tcp text: inode → socket for sockets in LISTEN state (0A). */
export function parseListening(text: string): Map<number, ListeningSocket> {
  const out = new Map<number, ListeningSocket>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const [addr, port] = f[1]!.split(':');
    out.set(Number(f[9]), { port: parseInt(port!, 16), ...decodeAddress(addr!) });
  }
  return out;
}

function socketInodes(pid: number): Set<number> | null {
  const inodes = new Set<number>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(Number(m[1]));
      } catch {
        /* fd closed meanwhile */
      }
    }
  } catch {
    return null;
  }
  return inodes;
}

function listeningTable(pid: number | 'self'): Map<number, ListeningSocket> {
  const all = new Map<number, ListeningSocket>();
  for (const file of ['tcp', 'tcp6']) {
    try {
      for (const [inode, s] of parseListening(readFileSync(`/proc/${pid}/net/${file}`, 'utf8'))) all.set(inode, s);
    } catch {
      /* no IPv6 */
    }
  }
  return all;
}

/** Sockets `pid` itself listens on (sorted by port). Empty when the process is gone. */
export function listeningSockets(pid: number): ListeningSocket[] {
  const inodes = socketInodes(pid);
  if (!inodes) return [];
  const out: ListeningSocket[] = [];
  for (const [inode, s] of listeningTable(pid)) if (inodes.has(inode)) out.push(s);
  return out.sort((a, b) => a.port - b.port);
}

/** Ports `pid` itself listens on (sorted). Empty when the process is gone. */
export function listeningPorts(pid: number): number[] {
  return [...new Set(listeningSockets(pid).map((s) => s.port))];
}

/** Which process (other than `except`) listens on `port` in `pid`'s network namespace, if any. */
export function whoListensOn(port: number, nsOf: number, except: number): { pid: number; comm: string } | null {
  const inodes = new Set([...listeningTable(nsOf)].filter(([, s]) => s.port === port).map(([i]) => i));
  if (inodes.size === 0) return null;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === except) continue;
    const mine = socketInodes(Number(name));
    if (mine && [...mine].some((i) => inodes.has(i))) {
      let comm = '?';
      try {
        comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      } catch {
        /* gone */
      }
      return { pid: Number(name), comm };
    }
  }
  return { pid: 0, comm: 'an unknown process' };
}
