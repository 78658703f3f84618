// USS/PSS/swap from /proc/PID/smaps_rollup. The kernel walks every page table of the target
// under its mmap_lock to produce this file, so callers time each read (see read-governor.ts).
import { readProcFile } from './read-proc-file.js';

export interface RollupReading {
  rss: number;
  pss: number;
  uss: number; // Private_Clean + Private_Dirty + Private_Hugetlb
  swap: number;
}

/** Parse the text of smaps_rollup (kB fields) into bytes. Null if the fields we need are missing. */
export function parseSmapsRollup(text: string): RollupReading | null {
  let rss = -1, pss = -1, pc = -1, pd = -1, ph = 0, swap = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    if (key !== 'Rss' && key !== 'Pss' && key !== 'Private_Clean' && key !== 'Private_Dirty' && key !== 'Private_Hugetlb' && key !== 'Swap') continue;
    const kb = parseInt(line.slice(colon + 1), 10);
    if (!Number.isFinite(kb)) continue;
    const b = kb * 1024;
    if (key === 'Rss') rss = b;
    else if (key === 'Pss') pss = b;
    else if (key === 'Private_Clean') pc = b;
    else if (key === 'Private_Dirty') pd = b;
    else if (key === 'Private_Hugetlb') ph = b;
    else swap = b;
  }
  if (rss < 0 || pss < 0 || pc < 0 || pd < 0) return null;
  return { rss, pss, uss: pc + pd + ph, swap };
}

export type RollupResult =
  | { ok: true; reading: RollupReading; ms: number }
  | { ok: false; reason: 'gone' | 'denied' | 'unsupported'; ms: number };

/** Read and parse smaps_rollup for one PID, timing the read. */
export function readSmapsRollup(pid: number): RollupResult {
  const t0 = performance.now();
  let text: string;
  try {
    text = readProcFile(`/proc/${pid}/smaps_rollup`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const ms = performance.now() - t0;
    if (code === 'ENOENT' || code === 'ESRCH') return { ok: false, reason: 'gone', ms };
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: 'denied', ms };
    return { ok: false, reason: 'unsupported', ms };
  }
  const ms = performance.now() - t0;
  // An exited-but-unreaped process yields an empty file.
  if (text.length === 0) return { ok: false, reason: 'gone', ms };
  const reading = parseSmapsRollup(text);
  return reading ? { ok: true, reading, ms } : { ok: false, reason: 'unsupported', ms };
}
