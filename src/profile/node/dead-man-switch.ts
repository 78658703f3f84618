// A dead-man's switch inside the target: an unref'd timer that closes the target's own inspector
// (process._debugEnd()) unless leak-profile renews it. Armed as soon as the CDP session opens, so
// even `kill -9` of leak-profile leaves the inspector open for seconds, not forever. A snapshot blocks
// the target's event loop (and so the timer and the renewals queued behind it): a tick that arrives
// late extends the deadline by one grace period, so a long snapshot is never cut off by its own length.
import type { CdpSession } from './cdp-session.js';

/** Seconds the target waits for a renewal before closing its inspector. */
export const DEADMAN_GRACE_S = 6;
const TICK_MS = 500;
const RENEW_MS = 1000;
const KEY = `Symbol.for('leak-detective.deadman')`;

const ARM = `(() => {
  const k = ${KEY}, g = ${DEADMAN_GRACE_S * 1000}, now = () => performance.now();
  if (globalThis[k]) clearInterval(globalThis[k].timer);
  const s = { deadline: now() + g, last: now() };
  s.timer = setInterval(() => {
    const t = now();
    if (t - s.last > ${TICK_MS * 4}) s.deadline = Math.max(s.deadline, t + g);
    s.last = t;
    if (t > s.deadline) { clearInterval(s.timer); delete globalThis[k]; process._debugEnd(); }
  }, ${TICK_MS});
  s.timer.unref();
  globalThis[k] = s;
  return 'armed';
})()`;

const RENEW = `(() => { const s = globalThis[${KEY}]; if (!s) return 'gone'; s.deadline = performance.now() + ${DEADMAN_GRACE_S * 1000}; return 'renewed'; })()`;

/** Close the inspector now, disarming the switch first (the call never answers: the session ends). */
export const CLOSE_INSPECTOR = `(() => { const s = globalThis[${KEY}]; if (s) { clearInterval(s.timer); delete globalThis[${KEY}]; } process._debugEnd(); })()`;

/** Arm the switch in the target and keep renewing it from here; returns the function that stops renewing. */
export async function armDeadManSwitch(session: CdpSession): Promise<() => void> {
  await session.send('Runtime.evaluate', { expression: ARM, returnByValue: true }, 10_000);
  let inFlight = false;
  const timer = setInterval(() => {
    // One renewal at a time: while a snapshot blocks the target they would only pile up.
    if (inFlight) return;
    inFlight = true;
    session.send('Runtime.evaluate', { expression: RENEW, returnByValue: true }, 30 * 60_000).then(
      () => (inFlight = false),
      () => (inFlight = false),
    );
  }, RENEW_MS);
  timer.unref();
  return () => clearInterval(timer);
}
