// Profiles for scripts: the same Profile JSON leak-profile prints.
import { analyzeSnapshots } from '../profile/node/analyze-snapshots.js';
import { profileProcess, type ProfileProcessOptions } from '../profile/profile-process.js';
import type { ProfileReport } from '../types.js';

export type ProfileOptions = Partial<Omit<ProfileProcessOptions, 'pid'>>;

/** Take captures of a live Node or CPython process and report what grew in every interval. */
export function profilePid(pid: number, o: ProfileOptions = {}): Promise<ProfileReport> {
  return profileProcess({ snapshots: 3, interval_s: 30, top: 20, outDir: null, ...o, pid });
}

/** Diff V8 heap snapshot files (oldest first, or ordered by their own ids where the analysis can tell). */
export function profileSnapshots(files: string[], o: { top?: number } = {}): ProfileReport {
  return analyzeSnapshots(files.map((file) => ({ file })), { top: o.top ?? 20 });
}
