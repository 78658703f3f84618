// torchrun tells each worker who it is through RANK, LOCAL_RANK and WORLD_SIZE; they are read from the
// target's own environment (/proc/PID/environ: readable as root or as the same user).
import { readFileSync } from 'node:fs';
import type { RankEnv } from './series-groups.js';

const WANTED = ['RANK', 'LOCAL_RANK', 'WORLD_SIZE'] as const;

/** The rank labels of a process; '' for each one that is absent, unreadable or not a small whole number. */
export function readRankEnv(pid: number, procRoot = '/proc'): RankEnv {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/environ`, 'latin1');
  } catch {
    return { rank: '', local_rank: '', world_size: '' };
  }
  return parseRankEnv(text);
}

/** Pick the rank variables out of a NUL-separated environment block. */
export function parseRankEnv(block: string): RankEnv {
  const found: Record<string, string> = {};
  for (const entry of block.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if ((WANTED as readonly string[]).includes(name)) found[name] = entry.slice(eq + 1);
  }
  // Only small whole numbers become labels: a label value must stay bounded.
  const ok = (v: string | undefined) => (v !== undefined && /^\d{1,6}$/.test(v) ? String(Number(v)) : '');
  return { rank: ok(found.RANK), local_rank: ok(found.LOCAL_RANK), world_size: ok(found.WORLD_SIZE) };
}
