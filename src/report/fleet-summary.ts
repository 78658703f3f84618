// What a fleet's read-back says, before its table: how many series per class, and the growing ones
// worst first, grouped by the labels that say where they run (job, node, rank). Pure.
import { orderWorstFirst } from './compose-session.js';
import type { Judged } from '../fleet/judge-series.js';

/** Labels that name a job, and a node, in the exporters people run (ours, node/process exporters, kube). */
const JOB_LABELS = ['exported_job', 'job', 'namespace', 'kubernetes_namespace'];
const NODE_LABELS = ['node', 'nodename', 'hostname', 'host', 'kubernetes_node', 'exported_instance', 'instance', 'pod'];

export interface FleetGroup {
  /** "job=train node=gpu-017". */
  where: string;
  rows: Judged[];
}

export interface FleetSummary {
  series: number;
  counts: Record<string, number>;
  /** Growing series by job and node, the group with the fastest grower first; worst first inside. */
  growing: FleetGroup[];
  /** leak-check: series that fail the bound. */
  failing: number;
}

const CLASS_ORDER = ['growing', 'insufficient-data', 'plateau', 'cycling', 'stable'];

export function summarise(judged: Judged[]): FleetSummary {
  const counts: Record<string, number> = {};
  for (const c of CLASS_ORDER) counts[c] = 0;
  for (const j of judged) counts[j.report.classification ?? 'insufficient-data'] = (counts[j.report.classification ?? 'insufficient-data'] ?? 0) + 1;
  const groups = new Map<string, Judged[]>();
  for (const j of orderWorstFirst(judged.filter((x) => x.report.classification === 'growing'))) {
    const where = whereOf(j.labels);
    groups.set(where, [...(groups.get(where) ?? []), j]);
  }
  return {
    series: judged.length,
    counts,
    growing: [...groups.entries()].map(([where, rows]) => ({ where, rows })),
    failing: judged.filter((j) => j.report.verdict === 'fail').length,
  };
}

/** "job=train node=gpu-017", from the first job label and the first node label present. */
export function whereOf(labels: Record<string, string>): string {
  const job = JOB_LABELS.find((k) => labels[k] !== undefined);
  const node = NODE_LABELS.find((k) => labels[k] !== undefined);
  const parts = [job ? `${job}=${labels[job]}` : '', node ? `${node}=${labels[node]}` : ''].filter(Boolean);
  return parts.join(' ') || '(no job or node label)';
}

/** "9,812 stable · 120 cycling · 3 growing", classes with series only, worst first. */
export function countsLine(s: FleetSummary): string {
  const parts = CLASS_ORDER.filter((c) => (s.counts[c] ?? 0) > 0).map((c) => `${(s.counts[c] ?? 0).toLocaleString('en-US')} ${c}`);
  return parts.join(' · ') || 'no series judged';
}
