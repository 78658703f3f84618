// Finding the target: a PID, a regex over full command lines, or the training job by heuristics.
// ps-list is used here (once, at start) for discovery; per-tick work goes through the ProcessSource.
import psList from 'ps-list';
import { notFoundError, usageError } from '../errors.js';
import type { ProcessSource } from './process-source.js';
import { matchTraining } from './training-patterns.js';

export interface Target {
  pid: number;
  startTicks: number;
  name: string;
  cmdline: string;
  /** One line: which process and why (printed to stderr). */
  why: string;
}

export interface Candidate {
  pid: number;
  ppid: number;
  name: string;
  cmdline: string;
  why: string;
  treeRssBytes: number;
  treeSize: number;
}

/** A PID the user named; not-found (exit 3) if it does not exist. */
export async function targetFromPid(pid: number, source: ProcessSource): Promise<Target> {
  const st = await source.stat(pid);
  if (!st) throw notFoundError(`no process with PID ${pid}`);
  return { pid, startTicks: st.startTicks, name: st.comm, cmdline: await source.cmdline(pid), why: `PID ${pid} (${st.comm})` };
}

/** Candidates whose full command line matches, excluding this tracker and its ancestors. */
export async function findMatching(pattern: string, source: ProcessSource): Promise<Candidate[]> {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw usageError(`--match is not a valid regular expression: \`${pattern}\` (${(e as Error).message})`);
  }
  return candidates((cmd) => (re.test(cmd) ? `command line matches /${pattern}/` : null), source);
}

/** Processes that look like training jobs (see training-patterns.ts). */
export function findTrainingCandidates(source: ProcessSource): Promise<Candidate[]> {
  return candidates((cmd) => matchTraining(cmd)?.why ?? null, source);
}

/**
 * Pick the root of the biggest matching tree: a match whose parent also matches is part of its
 * parent's job (DataLoader workers, torchrun's ranks), not a job of its own.
 */
export async function pickTarget(all: Candidate[], searched: string, source: ProcessSource): Promise<{ target: Target; others: Candidate[] }> {
  if (all.length === 0) throw notFoundError(`no process found: ${searched}`);
  const found = withoutShellWrappers(all);
  const pids = new Set(found.map((c) => c.pid));
  const roots = found.filter((c) => !pids.has(c.ppid));
  roots.sort((a, b) => b.treeRssBytes - a.treeRssBytes || a.pid - b.pid);
  const best = roots[0]!;
  const st = await source.stat(best.pid);
  if (!st) throw notFoundError(`no process found: ${searched} (PID ${best.pid} exited meanwhile)`);
  const others = roots.slice(1);
  const why =
    `tracking ${best.name} ${best.pid}: ${best.why}; biggest job tree (${best.treeSize} process${best.treeSize === 1 ? '' : 'es'}, ` +
    `${(best.treeRssBytes / 1048576).toFixed(0)} MB RSS)` +
    (others.length ? `; other candidates: ${others.slice(0, 5).map((o) => `${o.pid} (${o.name})`).join(', ')}${others.length > 5 ? ', …' : ''}` : '');
  return { target: { pid: best.pid, startTicks: st.startTicks, name: best.name, cmdline: best.cmdline, why }, others };
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'fish', 'busybox']);

/**
 * `bash -c 'python train.py …; …'` matches the training patterns through its argument, and so does
 * the python it runs: the job is the python, not the shell (whose per-process row would otherwise be
 * "the main"). A shell whose matching child is among the candidates steps aside for it.
 */
export function withoutShellWrappers(found: Candidate[]): Candidate[] {
  const parents = new Set(found.map((c) => c.ppid));
  return found.filter((c) => !(SHELLS.has(c.name) && parents.has(c.pid)));
}

async function candidates(test: (cmdline: string) => string | null, source: ProcessSource): Promise<Candidate[]> {
  const excluded = await selfAndAncestors(source);
  const out: Candidate[] = [];
  for (const p of await psList({ all: true })) {
    if (excluded.has(p.pid)) continue;
    // ps-list's args are cut at ps's width on some systems; /proc's cmdline is whole.
    const cmdline = source.kind === 'procfs' ? (await source.cmdline(p.pid)) || p.cmd || p.name : p.cmd || p.name;
    const why = test(cmdline);
    if (!why) continue;
    const st = await source.stat(p.pid);
    if (!st) continue;
    const tree = await source.tree(p.pid, st.startTicks, true);
    const treeRssBytes = await source.totalRss(tree.map((t) => t.pid));
    out.push({ pid: p.pid, ppid: st.ppid, name: st.comm, cmdline, why, treeRssBytes, treeSize: tree.length });
  }
  return out;
}

/** Our own PID chain: `sh -c "leak-track --match foo"` matches foo, but is not the target. */
async function selfAndAncestors(source: ProcessSource): Promise<Set<number>> {
  const out = new Set<number>();
  let pid = process.pid;
  while (pid > 1 && !out.has(pid)) {
    out.add(pid);
    const st = await source.stat(pid);
    if (!st) break;
    pid = st.ppid;
  }
  return out;
}
