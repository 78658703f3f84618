// The budget's reading of a Node target at one snapshot: process.memoryUsage() evaluated in the target
// through the inspector (V8 heap used/total, external, arrayBuffers) and its USS from /proc.
import type { Inspector } from './capture.js';
import { readSmapsRollup } from '../../track/smaps-rollup.js';
import { nodeReading } from '../budget/readings.js';
import type { NodeBudgetReading } from '../budget/types.js';

// Read from the process module, not the global: code may shadow or delete globalThis.process.
const EXPR = "JSON.stringify((typeof process === 'object' && process ? process : require('process')).memoryUsage())";

/** One reading, or a reason why not (the budget is then left out, with that reason as a warning). */
export async function readNodeMemory(pid: number, ins: Inspector, t_s: number): Promise<NodeBudgetReading | string> {
  let value: unknown;
  try {
    const r = await ins.session.send<{ result?: { value?: unknown }; exceptionDetails?: unknown }>('Runtime.evaluate', { expression: EXPR, returnByValue: true, silent: true }, 10_000);
    value = r.exceptionDetails ? undefined : r.result?.value;
  } catch {
    value = undefined;
  }
  const uss = readSmapsRollup(pid);
  if (!uss.ok) return `/proc/${pid}/smaps_rollup could not be read (${uss.reason})`;
  return nodeReading(t_s, uss.reading.uss, value) ?? 'the target did not answer process.memoryUsage()';
}
