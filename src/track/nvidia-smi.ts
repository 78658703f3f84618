// Per-process GPU memory from one `nvidia-smi --query-compute-apps` call per tick. The parser is
// strict: a line it does not understand is an error, not a silent zero.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { MiB } from '../units.js';

export const NVIDIA_SMI_ARGS = ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'];

/** Values nvidia-smi prints where a number cannot be read (MIG, containers, permissions). */
const UNAVAILABLE = /^\[(N\/A|Not Supported|Insufficient Permissions|Unknown Error)\]$/;

/** PID → bytes of VRAM (null where nvidia-smi reports it unavailable). Summed over GPUs. */
export function parseComputeApps(text: string): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || /^No running (compute )?processes found$/i.test(line)) continue;
    const m = /^(\d+),\s*(.+)$/.exec(line);
    if (!m) throw new Error(`unexpected nvidia-smi line: ${JSON.stringify(line)}`);
    const pid = Number(m[1]);
    const value = m[2]!.trim();
    let bytes: number | null;
    if (/^\d+$/.test(value)) bytes = Number(value) * MiB;
    else if (UNAVAILABLE.test(value)) bytes = null;
    else throw new Error(`unexpected nvidia-smi memory value: ${JSON.stringify(value)}`);
    const prev = out.get(pid);
    out.set(pid, prev === undefined ? bytes : prev === null || bytes === null ? (prev ?? bytes) : prev + bytes);
  }
  return out;
}

/** Run nvidia-smi once (bounded by a timeout) and parse it. Rejects on failure or unparseable output. */
export function queryVram(binary = 'nvidia-smi', timeoutMs = 5000): Promise<Map<number, number | null>> {
  return new Promise((resolve, reject) => {
    execFile(binary, NVIDIA_SMI_ARGS, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`nvidia-smi failed: ${(stderr || err.message).trim().split('\n')[0]}`));
        return;
      }
      try {
        resolve(parseComputeApps(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** The nvidia-smi executable on PATH, or null where there is none (no GPU driver). */
export function findNvidiaSmi(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = `${dir}/nvidia-smi`;
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}
