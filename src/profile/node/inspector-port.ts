// Which TCP ports a process listens on, from /proc: its socket inodes (in /proc/PID/fd) matched with
// the LISTEN entries of /proc/PID/net/tcp{,6}. Used to find the port its inspector really opened
// (9229 may be taken by another process) and to verify it closed again.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Parse /proc/net/tcp text: inode → port for sockets in LISTEN state (0A). */
export function parseListening(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const port = parseInt(f[1]!.split(':')[1]!, 16);
    out.set(Number(f[9]), port);
  }
  return out;
}

/** Ports `pid` itself listens on (sorted). Empty when the process is gone. */
export function listeningPorts(pid: number): number[] {
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
    return [];
  }
  const ports = new Set<number>();
  for (const file of ['tcp', 'tcp6']) {
    try {
      for (const [inode, port] of parseListening(readFileSync(`/proc/${pid}/net/${file}`, 'utf8'))) if (inodes.has(inode)) ports.add(port);
    } catch {
      /* no IPv6 */
    }
  }
  return [...ports].sort((a, b) => a - b);
}
