// The memory readings the exporter publishes, one `type` label value each. Its own module so the
// window (recent-window.ts) and the series it belongs to (series-groups.ts) both name it without
// importing each other.
export const MEMORY_TYPES = ['uss', 'pss', 'rss', 'swap', 'vram'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];
