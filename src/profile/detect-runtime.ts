// Which runtime a live process runs, from /proc: the executable's name first, then the libraries
// mapped into it (a python embedded in another binary still maps libpython).
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { notFoundError, permissionError } from '../errors.js';

export type Runtime = 'node' | 'python' | 'unknown';

export interface RuntimeInfo {
  runtime: Runtime;
  exe: string | null;
  /** libpython path when Python is a shared library (Debian's build), else null (static pyenv build). */
  libpython: string | null;
  /** e.g. "3.11" where it can be read from the exe or library name. */
  pythonVersion: string | null;
  /** A short description for error messages: "python3.11", "node", "java". */
  looksLike: string;
  uid: number;
}

/** Inspect /proc/PID; throws not-found (3) or permission (3) errors that name the PID. */
export function detectRuntime(pid: number): RuntimeInfo {
  let uid: number;
  try {
    uid = statSync(`/proc/${pid}`).uid;
  } catch {
    throw notFoundError(`no process with PID ${pid}`);
  }
  let exe: string | null = null;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFoundError(`no process with PID ${pid} (it exited)`);
    if (code === 'EACCES' || code === 'EPERM') {
      // As root, "run as root" is no advice: what denies it is a boundary root is inside of.
      throw permissionError(
        process.getuid?.() === 0
          ? `no permission to inspect PID ${pid} (owned by uid ${uid}) even as root: a security boundary denies it (another container or user namespace, Yama ptrace_scope 3, an LSM such as AppArmor or SELinux); run leak-profile inside the target's container`
          : `no permission to inspect PID ${pid} (owned by uid ${uid}); run as that user or as root`,
      );
    }
  }
  let maps = '';
  try {
    maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    /* unreadable maps: decide from the exe alone */
  }
  const base = exe ? exe.slice(exe.lastIndexOf('/') + 1) : '';
  const libpythonMatch = /\s(\S*libpython(\d+\.\d+)[^\s/]*\.so[^\s]*)$/m.exec(maps);
  const libpython = libpythonMatch ? libpythonMatch[1]! : null;
  const exeVersion = /^python(\d+\.\d+)/.exec(base)?.[1] ?? null;
  const pythonVersion = libpythonMatch?.[2] ?? exeVersion;
  let runtime: Runtime = 'unknown';
  if (/^(node|nodejs)(\d+)?$/.test(base) || /\blibnode\.so/.test(maps)) runtime = 'node';
  else if (/^python/.test(base) || libpython) runtime = 'python';
  let comm = base;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    /* keep exe name */
  }
  return { runtime, exe, libpython, pythonVersion, looksLike: base || comm || 'unknown', uid };
}
