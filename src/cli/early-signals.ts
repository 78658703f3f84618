// Stop signals that arrive while a bin is still loading its modules (≈0.3 s on a busy box). Without a
// handler Node dies of the signal silently; with this one the signal is remembered until the command
// installs its own handlers and takes it over, so even the earliest Ctrl-C ends in one line and 128+N.
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let first: NodeJS.Signals | null = null;
const remember = (sig: NodeJS.Signals) => {
  first ??= sig;
};

/** Remember SIGINT/SIGTERM/SIGHUP from now on; call before importing anything heavy. */
export function holdStopSignals(): void {
  for (const sig of STOP_SIGNALS) process.on(sig, remember);
}

/**
 * Stop remembering (install the command's own handlers first, so no signal falls between the two) and
 * return the first signal that came in while held, if any.
 */
export function releaseStopSignals(): NodeJS.Signals | null {
  for (const sig of STOP_SIGNALS) process.off(sig, remember);
  const sig = first;
  first = null;
  return sig;
}
