// The portable source, for systems without a usable /proc (macOS, BSDs) or when asked for with
// LEAK_TRACK_SOURCE=portable: the tree from ps-list, RSS and CPU time from pidusage. RSS only: USS,
// PSS and swap need smaps_rollup. One ps-list per tick (~15 ms), so intervals under 1 s are costly here.
import psList from 'ps-list';
import pidusage from 'pidusage';
import type { ProcStat } from './proc-stat.js';
import type { MemoryReading, ProcessReader, ProcessSource } from './process-source.js';

type Listed = Awaited<ReturnType<typeof psList>>[number];

/** A process's start, whole seconds since the epoch: with the PID, its identity across PID reuse. */
const startKey = (p: Listed): number => (p.startTime ? Math.floor(p.startTime.getTime() / 1000) : 0);

const isGone = (p: Listed): boolean => /<defunct>/.test(p.cmd ?? '');

/**
 * pidusage for many PIDs; one that exits between listing and reading fails the whole batch, so
 * retry one by one and leave the dead out. A process that exited but is not yet reaped (a zombie)
 * reads RSS 0 both from `ps` and from /proc: it is gone too, not a sample of 0 bytes (fresh-clone CI
 * caught one such 0 when a worker exited between the listing and the read). Never `maxage: 0`:
 * that leaks a file descriptor per call.
 */
export async function usage(pids: number[]): Promise<Map<number, pidusage.Status>> {
  const out = new Map<number, pidusage.Status>();
  if (pids.length === 0) return out;
  const keep = (pid: number, s: pidusage.Status | undefined): void => {
    if (s && s.memory > 0) out.set(pid, s);
  };
  try {
    const all = await pidusage(pids);
    for (const pid of pids) keep(pid, all[pid]);
    return out;
  } catch {
    const each = await Promise.allSettled(pids.map((pid) => pidusage(pid)));
    each.forEach((r, i) => r.status === 'fulfilled' && keep(pids[i]!, r.value));
    return out;
  }
}

function toStat(p: Listed, u: pidusage.Status | undefined): ProcStat {
  // pidusage's ctime is ms of CPU time; the sampler counts in USER_HZ ticks (1/100 s).
  return { pid: p.pid, comm: p.name, state: 'R', ppid: p.ppid, cpuTicks: u ? u.ctime / 10 : 0, startTicks: startKey(p) };
}

export function createPortableSource(): ProcessSource {
  // RSS per PID from the latest tree() call, replaced each tick: bounded by the tree's size.
  let lastRss = new Map<number, number>();
  let said = false;
  return {
    kind: 'portable',
    async stat(pid) {
      const p = (await psList({ all: true })).find((x) => x.pid === pid);
      return p && !isGone(p) ? toStat(p, undefined) : null;
    },
    async tree(rootPid, rootStart, withChildren) {
      const list = await psList({ all: true });
      const root = list.find((p) => p.pid === rootPid);
      if (!root || isGone(root) || startKey(root) !== rootStart) return [];
      const members: Listed[] = [root];
      if (withChildren) {
        const byParent = new Map<number, Listed[]>();
        for (const p of list) {
          // A child cannot predate its parent: drops processes that merely inherited a reused PPID.
          if (p.pid === rootPid || isGone(p) || startKey(p) < rootStart) continue;
          const kids = byParent.get(p.ppid);
          if (kids) kids.push(p);
          else byParent.set(p.ppid, [p]);
        }
        for (let i = 0; i < members.length; i++) members.push(...(byParent.get(members[i]!.pid) ?? []));
      }
      const u = await usage(members.map((p) => p.pid));
      lastRss = new Map();
      const out: ProcStat[] = [];
      for (const p of members) {
        const s = u.get(p.pid);
        if (!s) continue; // exited between the listing and the read
        lastRss.set(p.pid, s.memory);
        out.push(toStat(p, s));
      }
      return out[0]?.pid === rootPid ? out : [];
    },
    watchTree(pid, start, withChildren) {
      return { read: () => this.tree(pid, start, withChildren) };
    },
    async cmdline(pid) {
      return (await psList({ all: true })).find((x) => x.pid === pid)?.cmd ?? '';
    },
    async totalRss(pids) {
      let sum = 0;
      for (const s of (await usage(pids)).values()) sum += s.memory;
      return sum;
    },
    reader(st, ctx): ProcessReader {
      return {
        read(): MemoryReading {
          if (!said) {
            said = true;
            ctx.notice(`recording RSS only, via ps-list and pidusage (no /proc/PID/smaps_rollup${process.platform === 'linux' ? ' in use' : ` on ${process.platform}`}): no USS/PSS/swap; analysis uses RSS`);
          }
          return { rss: lastRss.get(st.pid) ?? null, uss: null, pss: null, swap: null };
        },
      };
    },
    close: () => pidusage.clear(),
  };
}
