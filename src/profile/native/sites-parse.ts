// Reading what the bpftrace program printed: unfreed bytes and allocations per caller, callers that
// bpftrace could not name resolved to module+offset through the target's memory map. Pure.

export interface NativeSite {
  /** The function that called malloc/calloc/realloc, or module+0xoffset where it has no symbol. */
  site: string;
  bytes: number;
  allocations: number;
}

/** Parse `@bytes[site]: N` and `@n[site]: N` lines; sites with nothing left unfreed are dropped. */
export function parseSites(text: string): NativeSite[] {
  const bytes = new Map<string, number>(), n = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^@(bytes|n)\[(.*)\]: (-?\d+)$/.exec(line.trim());
    if (!m) continue;
    // Sums are u64 in the kernel: a site freed more than it allocated while traced wraps around.
    let v = Number(BigInt.asIntN(64, BigInt(m[3]!)));
    if (!Number.isFinite(v)) v = 0;
    (m[1] === 'bytes' ? bytes : n).set(m[2]!, v);
  }
  return [...bytes].filter(([, b]) => b > 0).map(([site, b]) => ({ site, bytes: b, allocations: Math.max(0, n.get(site) ?? 0) }));
}

export interface Mapping {
  start: bigint;
  end: bigint;
  offset: bigint;
  path: string;
  /** Mapped executable (code, not data). */
  exec: boolean;
}

/** The file-backed mappings of /proc/PID/maps text. */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) \S+ \d+\s+(\/.*)$/.exec(line);
    if (m) out.push({ start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), offset: BigInt(`0x${m[4]}`), path: m[5]!, exec: m[3]!.includes('x') });
  }
  return out;
}

/** Name a raw address (0x…) by its module and file offset; anything else is returned as it is. */
export function nameAddress(site: string, maps: readonly Mapping[]): string {
  if (!/^0x[0-9a-f]+$/i.test(site)) return site;
  const a = BigInt(site);
  const m = maps.find((x) => a >= x.start && a < x.end);
  return m ? `${m.path.slice(m.path.lastIndexOf('/') + 1)}+0x${(a - m.start + m.offset).toString(16)}` : `${site} (anonymous memory: JIT code?)`;
}

/** Sites merged after naming (two raw addresses in one function stay apart; same names add up), biggest first. */
export function rankSites(sites: readonly NativeSite[], maps: readonly Mapping[], top: number): NativeSite[] {
  const by = new Map<string, NativeSite>();
  for (const s of sites) {
    const site = nameAddress(s.site, maps);
    const cur = by.get(site) ?? { site, bytes: 0, allocations: 0 };
    cur.bytes += s.bytes;
    cur.allocations += s.allocations;
    by.set(site, cur);
  }
  return [...by.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top);
}
