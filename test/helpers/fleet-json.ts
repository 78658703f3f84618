// leak-report --prometheus --json: one line per series as it is judged, then one {"fleet": …} line.
import assert from 'node:assert/strict';
import type { ProcessReport } from '../../src/types.js';

export type FleetRow = ProcessReport & { labels: Record<string, string> };
export interface FleetLine {
  via: string;
  listed: number;
  series: number;
  complete: boolean;
  counts: Record<string, number>;
  failing: number;
  growing: string[];
  seconds: number;
  read_seconds: number;
}

/** Parse the stream; the summary line must come last and count the series lines. */
export function parseFleetJson(stdout: string): { rows: FleetRow[]; fleet: FleetLine } {
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as FleetRow | { fleet: FleetLine });
  const last = lines.pop() as { fleet?: FleetLine } | undefined;
  assert.ok(last?.fleet, `the last line is the fleet summary: ${stdout.slice(-300)}`);
  const rows = lines as FleetRow[];
  for (const r of rows) assert.ok(!('fleet' in r), 'one summary line, at the end');
  assert.equal(last.fleet.series, rows.length);
  return { rows, fleet: last.fleet };
}
