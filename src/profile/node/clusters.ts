// Leak clusters (memlab's idea): the new instances of a grower grouped by their holder path, each
// group with its count and retained bytes, one representative path per group. Paths are computed
// on an even sample of the instances (at most `sample`), and counts scaled to the whole set.
import type { LeakCluster } from '../../types.js';
import { nameHolder, type HolderNaming } from './holder-names.js';

/** Group `instances` by holder path, biggest retained bytes first; clusters under 1 % are left out. */
export function clusterByHolder(h: HolderNaming, instances: ArrayLike<number>, retained: Float64Array, sample = 1000): LeakCluster[] {
  if (instances.length === 0) return [];
  const step = Math.max(1, instances.length / sample);
  const groups = new Map<string, { n: number; bytes: number }>();
  let seen = 0;
  for (let i = 0; i < instances.length; i += step) {
    const node = instances[Math.floor(i)]!;
    const path = nameHolder(h, node) ?? '?';
    const c = groups.get(path);
    if (c) (c.n++, (c.bytes += retained[node]!));
    else groups.set(path, { n: 1, bytes: retained[node]! });
    seen++;
  }
  const scale = instances.length / seen;
  return [...groups]
    .map(([path, c]) => ({ path, count: Math.round(c.n * scale), retained_bytes: Math.round(c.bytes * scale), share: Math.round((c.n / seen) * 100) / 100 }))
    .filter((c) => c.share >= 0.01)
    .sort((a, b) => b.retained_bytes - a.retained_bytes || b.count - a.count);
}
