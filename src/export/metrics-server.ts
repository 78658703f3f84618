// The /metrics endpoint: classic text format by default, OpenMetrics when the scraper's Accept asks.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricRegistries } from './metrics.js';
import type { ListenAddress } from './listen-address.js';
import { permissionError, usageError } from '../errors.js';

/** A listening /metrics server. */
export interface MetricsServer {
  /** The address really bound (port 0 resolves to the port the OS chose). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

/** True when an Accept header prefers OpenMetrics (Prometheus ≥ 2.5 sends it first). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/** Start serving; rejects with a usage/permission LeakError when the address cannot be bound. */
export async function startMetricsServer(at: ListenAddress, registries: MetricRegistries): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(path === '/' ? 200 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(path === '/' ? 'leak-detective: metrics at /metrics\n' : 'not found; metrics are at /metrics\n');
      return;
    }
    const registry = wantsOpenMetrics(req.headers.accept) ? registries.openMetrics : registries.text;
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'Content-Type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (e: Error) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${e.message}\n`);
      },
    );
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${at.host}:${at.port}`;
      if (e.code === 'EADDRINUSE') reject(usageError(`--prometheus ${where}: the port is in use; choose another port`, e));
      else if (e.code === 'EACCES') reject(permissionError(`--prometheus ${where}: not allowed to listen there; use a port above 1023 or run as root`, e));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
        reject(usageError(`--prometheus ${where}: no such address on this machine; give one of its addresses, or 0.0.0.0 for all`, e));
      else reject(usageError(`--prometheus ${where}: cannot listen (${e.code ?? e.message})`, e));
    });
    server.listen(at.port, at.host, () => resolve());
  });
  server.on('error', () => {}); // after listening, socket errors belong to single requests
  const bound = server.address() as AddressInfo;
  return {
    address: { host: at.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
