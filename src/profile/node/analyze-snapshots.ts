// Offline analysis of a series of heap snapshots: parse each (streaming), aggregate per type, diff,
// then find who holds the new instances of the top growers in the last snapshot.
import { statSync } from 'node:fs';
import { usageError } from '../../errors.js';
import type { GrowingType, ProfileReport } from '../../types.js';
import { diffCensuses, NOISE_FLOOR, rankNamedTypesFirst } from '../diff.js';
import { aggregateSnapshot, newInstances, type NodeCensus } from './aggregate.js';
import { parseSnapshotFile } from './snapshot-parser.js';
import { computeRetainers, dominantHolder } from './retainers.js';

export interface SnapshotInput {
  file: string;
  /** Seconds since the first snapshot; from file mtimes where not known. */
  t_s?: number;
  pause_s?: number | null;
}

/** Turn ≥ 2 snapshot files (oldest first) into a Profile report. */
export function analyzeSnapshots(inputs: SnapshotInput[], opts: { top: number; onProgress?: (line: string) => void }): ProfileReport {
  if (inputs.length < 2) throw usageError(`need at least 2 snapshots to see growth, got ${inputs.length}`);
  const mtime0 = statSync(inputs[0]!.file).mtimeMs;
  const censuses: NodeCensus[] = [];
  let last = null as ReturnType<typeof parseSnapshotFile> | null;
  inputs.forEach((inp, i) => {
    const t0 = performance.now();
    const g = parseSnapshotFile(inp.file);
    const t_s = inp.t_s ?? (statSync(inp.file).mtimeMs - mtime0) / 1000;
    censuses.push(aggregateSnapshot(g, inp.file, t_s));
    opts.onProgress?.(`parsed ${inp.file}: ${g.nodeCount.toLocaleString('en-US')} objects in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (i === inputs.length - 1) last = g;
  });
  const growing = rankNamedTypesFirst(diffCensuses(censuses, NOISE_FLOOR)).slice(0, opts.top);
  attachHolders(last!, censuses, growing);
  return {
    target: { pid: null, runtime: 'snapshot' },
    snapshots: censuses.map((c, i) => ({ t_s: round(c.t_s), file: c.file, objects: c.objects, bytes: c.bytes, pause_s: inputs[i]!.pause_s ?? null })),
    growing,
  };
}

/**
 * The 3-snapshot technique: instances allocated after the first snapshot (ids above its maximum)
 * and, with 3+ snapshots, before the second-to-last, that are still alive in the last: those are
 * the ones that did not go away. Their dominant holder is the type's retainer path.
 */
function attachHolders(g: ReturnType<typeof parseSnapshotFile>, cs: NodeCensus[], growing: GrowingType[]): void {
  if (growing.length === 0) return;
  const names = new Set(growing.map((x) => x.type));
  const since = cs[0]!.maxId;
  const until = cs.length >= 3 ? cs[cs.length - 2]!.maxId : Infinity;
  let suspects = newInstances(g, names, since, until);
  if (suspects.size === 0) suspects = newInstances(g, names, since);
  const r = computeRetainers(g);
  for (const grower of growing) {
    const list = suspects.get(grower.type);
    if (!list || list.length === 0) continue;
    const holder = dominantHolder(g, r, list);
    if (holder) {
      grower.retainer_path = holder.path;
      grower.retainer_share = Math.round(holder.share * 100) / 100;
    }
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

