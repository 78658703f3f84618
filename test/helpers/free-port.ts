// A loopback port the OS says is free now (the real servers the fleet tests start take it next).
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that was free when asked. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
