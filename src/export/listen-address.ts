// `--prometheus [HOST:]PORT`: where /metrics listens. Loopback unless an address is given, so a
// tracker running as root never exposes a port to the network by accident.
import { usageError } from '../errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parse `9464`, `:9464`, `0.0.0.0:9464`, `10.0.0.5:9464`, `[::]:9464`, `localhost:0` (0 = any free port). */
export function parseListenAddress(text: string): ListenAddress {
  const bad = () =>
    usageError(`--prometheus must be [HOST:]PORT, e.g. 9464 (loopback) or 0.0.0.0:9464 (every interface), got \`${text}\``);
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(text.trim());
  if (!m) throw bad();
  const port = Number(m[2]);
  if (port > 65535) throw bad();
  let host = m[1] ?? '';
  if (host.startsWith('[')) host = host.slice(1, -1);
  return { host: host === '' ? '127.0.0.1' : host, port };
}
