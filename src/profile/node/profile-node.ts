// leak-profile on a live Node process: N snapshots `interval` apart through the inspector, the
// inspector closed again, then the offline analysis of the files.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProfileReport } from '../../types.js';
import { analyzeSnapshots, type SnapshotInput } from './analyze-snapshots.js';
import { captureSnapshot, closeInspector, openInspector } from './capture.js';

export interface NodeProfileOptions {
  pid: number;
  snapshots: number;
  interval_s: number;
  top: number;
  outDir: string | null;
  force?: boolean;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Capture and analyse; the target keeps running, its inspector closed (unless it was open before). */
export async function profileNode(o: NodeProfileOptions): Promise<ProfileReport> {
  const say = o.onProgress ?? (() => {});
  const dir = o.outDir ?? mkdtempSync(path.join(tmpdir(), 'leak-profile-'));
  if (o.outDir) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const warnings: string[] = [];
  const warn = (m: string) => (warnings.push(m), say(`warning: ${m}`));
  const inputs: SnapshotInput[] = [];
  try {
    const ins = await openInspector(o.pid);
    say(`${ins.preexisting ? 'using the inspector already open' : 'opened the inspector'} on 127.0.0.1:${ins.port}`);
    const t0 = Date.now();
    try {
      for (let i = 0; i < o.snapshots; i++) {
        if (i > 0) await wait(o.interval_s * 1000, o.signal);
        const file = path.join(dir, `${o.pid}-${i + 1}.heapsnapshot`);
        say(`snapshot ${i + 1}/${o.snapshots}: taking…`);
        const c = await captureSnapshot(o.pid, ins, file, Boolean(o.force), warn);
        inputs.push({ file, t_s: (Date.now() - t0) / 1000, pause_s: Math.round(c.pause_s * 1000) / 1000 });
        say(`snapshot ${i + 1}/${o.snapshots}: ${file} (target paused ${c.pause_s.toFixed(2)} s)`);
      }
    } finally {
      const w = await closeInspector(o.pid, ins);
      if (w) warn(w);
      else if (!ins.preexisting) say(`inspector closed; port ${ins.port} verified closed`);
    }
    const report = analyzeSnapshots(inputs, { top: o.top, onProgress: say });
    report.target = { pid: o.pid, runtime: 'node' };
    if (!o.outDir) for (const sn of report.snapshots) sn.file = null; // the temp files are removed below
    if (warnings.length) report.warnings = warnings;
    return report;
  } finally {
    if (!o.outDir) rmSync(dir, { recursive: true, force: true });
  }
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(new Error('interrupted'))), { once: true });
  });
}
