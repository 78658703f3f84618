// The one way leak-detective writes (and reads back) files in places another local user may reach:
// the session DB and its -wal/-shm/-journal, --junit, --html (leak-report, leak-track, leak-profile),
// leak-profile's --out (heap snapshots, censuses), the census channel, the Prometheus --textfile.
// A privileged leak-detective (root at 3 a.m.) must never write through something another user planted.
//
// The rules (what sudo, OpenSSH's StrictModes and systemd-tmpfiles do), one per module:
//   - safe-files/trusted-dir.ts: a directory we write in is trusted only if every directory on its real
//     path is owned by root or by us and is not writable by group or others, unless it is sticky;
//   - safe-files/create.ts: a file we reuse must be a regular file, ours, with one link, reached without
//     a symlink (any symlink, whoever owns it); a file we make is created O_CREAT|O_EXCL|O_NOFOLLOW, 0600;
//   - safe-files/atomic.ts: an output replaces its destination whole: temp file, fsync, then link(2) or
//     rename(2), never half a file, never through a link;
//   - safe-files/read.ts: a file we read is opened O_NOFOLLOW, checked (regular, owner) on the open
//     descriptor, size-capped.
// Refusals are usage errors (exit 2) that name the path, the reason, and what to do instead; a write
// that fails on the way (disk full, read-only, I/O error) is a storage error (exit 4).
// The DB is the one exception to "atomic": SQLite writes it in place, so src/store/db-files.ts applies
// the directory and file checks here and creates the files itself before SQLite opens them.
export { assertNotPseudo, assertTrustedDirectory, assertWritableDirectory, makePrivateDir, prepareOutDir } from './safe-files/trusted-dir.js';
export { checkExistingFile, checkOutputPath, copyFileExclusive, createFileExclusive, isStorageCode } from './safe-files/create.js';
export { openAtomicFile, writeFileAtomically, type AtomicFile, type AtomicFileOptions } from './safe-files/atomic.js';
export { readFileSafely, readOwnedFile } from './safe-files/read.js';
