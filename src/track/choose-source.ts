// Picks where process facts come from: /proc on Linux, ps-list + pidusage elsewhere.
import { accessSync, constants } from 'node:fs';
import { usageError } from '../errors.js';
import type { ProcessSource } from './process-source.js';
import { procfsSource } from './procfs-source.js';
import { createPortableSource } from './portable-source.js';

/**
 * LEAK_TRACK_SOURCE=procfs|portable overrides the choice (portable on Linux: where /proc is mounted
 * with hidepid, inside odd sandboxes, or to check the macOS path from a Linux box).
 */
export function chooseProcessSource(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ProcessSource {
  const asked = env.LEAK_TRACK_SOURCE;
  if (asked !== undefined && asked !== '' && asked !== 'procfs' && asked !== 'portable') {
    throw usageError(`LEAK_TRACK_SOURCE must be procfs or portable, not \`${asked}\``);
  }
  if (asked === 'portable') return createPortableSource();
  const procUsable = platform === 'linux' && readable('/proc/self/stat');
  if (asked === 'procfs' && !procUsable) throw usageError(`LEAK_TRACK_SOURCE=procfs, but /proc is not readable on this ${platform} system; unset it`);
  return procUsable ? procfsSource : createPortableSource();
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
