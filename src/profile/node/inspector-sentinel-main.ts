// The sentinel process (inspector-sentinel.ts): argv PID START_TICKS PORTS_BEFORE. Says "ready", then
// waits on stdin. A word on stdin: leak-profile closed the window itself; exit. The end of stdin
// without one: leak-profile died between SIGUSR1 and arming the dead-man's switch, so close every
// inspector port the target opened since (as leak-profile would have: process._debugEnd() in the
// target), watching for one to appear for as long as leak-profile itself would have waited.
import { isSameProcessAlive } from '../../track/proc-stat.js';
import { CdpSession, debuggerUrl } from './cdp-session.js';
import { CLOSE_INSPECTOR } from './dead-man-switch.js';
import { listeningSockets } from './inspector-port.js';

const [pid, start] = [Number(process.argv[2]), Number(process.argv[3])];
const before = new Set((process.argv[4] ?? '').split(',').filter(Boolean).map(Number));
const WATCH_MS = 6000; // leak-profile waits 5 s for the port after SIGUSR1
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let released = false;
process.stdin.on('data', () => {
  released = true;
  process.exit(0);
});
process.stdin.on('end', () => void (released ? process.exit(0) : closeWhatOpened()));
process.stdin.on('error', () => void closeWhatOpened());
process.stdout.write('ready\n');

let closing = false;
async function closeWhatOpened(): Promise<void> {
  if (closing) return;
  closing = true;
  const deadline = Date.now() + WATCH_MS;
  let closed = 0;
  while (Date.now() < deadline && isSameProcessAlive(pid, start)) {
    const opened = listeningSockets(pid).filter((s) => !before.has(s.port));
    if (opened.length === 0 && closed > 0) break;
    for (const s of opened) {
      const url = await debuggerUrl(s);
      if (!url) continue;
      try {
        const session = await CdpSession.connect(url);
        session.fire('Runtime.evaluate', { expression: CLOSE_INSPECTOR });
        for (let i = 0; i < 50 && listeningSockets(pid).some((x) => x.port === s.port); i++) await sleep(100);
        session.terminate();
        closed++;
      } catch {
        // not answering yet: the next round tries again
      }
    }
    await sleep(50);
  }
  process.exit(0);
}
