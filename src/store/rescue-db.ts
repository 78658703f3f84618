// When the DB file is unlinked under a running tracker (its directory removed), the open connection
// still reaches every committed page: copy them out before it closes, so nothing committed is lost.
import path from 'node:path';
import { makePrivateDir } from '../safe-files.js';
import type { Db } from './open-db.js';

/** VACUUM INTO a new file in a private temp directory; returns its path, or null if that failed too. */
export function rescueDb(db: Db): string | null {
  try {
    const dir = makePrivateDir('leak-track-rescued-', 'rescuing the database'); // throws in an untrusted TMPDIR: no rescue there
    const file = path.join(dir, 'leak-track.db');
    db.prepare('VACUUM INTO ?').run(file);
    return file;
  } catch {
    return null;
  }
}
