// A minimal Chrome DevTools Protocol session over the `ws` WebSocket client: numbered requests,
// replies matched by id, events to listeners, every wait bounded by a timeout.
import WebSocket from 'ws';
import { LeakError } from '../../errors.js';
import type { ListeningSocket } from './inspector-port.js';

export class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, (params: Record<string, unknown>) => void>();
  closed: Promise<void>;

  /** True once the connection is gone (closed by us, by the target, or by its exit). */
  isClosed = false;

  private constructor(private readonly ws: WebSocket) {
    // A connection reset after open must not become an unhandled 'error' event: 'close' follows it.
    ws.on('error', () => {});
    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return this.violate('a message that is not JSON');
      }
      // Every field is checked before use: the peer is whatever listens on the target's port, and a
      // process can listen there and speak as it likes.
      if (!isObject(msg)) return this.violate('a message that is not an object');
      const { id, method, params, error } = msg;
      if (id !== undefined) {
        if (!Number.isSafeInteger(id)) return this.violate('a reply whose id is not a number');
        const p = this.pending.get(id as number);
        this.pending.delete(id as number);
        if (error !== undefined) {
          if (!isObject(error) || typeof error.message !== 'string') return this.violate('an error reply without a message');
          p?.reject(new Error(error.message.slice(0, 300)));
        } else p?.resolve(msg.result);
      } else if (typeof method === 'string') {
        if (params !== undefined && !isObject(params)) return this.violate(`a ${method.slice(0, 60)} event whose params are not an object`);
        this.listeners.get(method)?.((params as Record<string, unknown> | undefined) ?? {});
      } else return this.violate('a message with neither id nor method');
    });
    this.closed = new Promise((resolve) => ws.once('close', () => {
      this.isClosed = true;
      for (const p of this.pending.values()) p.reject(new Error('inspector connection closed'));
      this.pending.clear();
      resolve();
    }));
  }

  /** Set when the peer broke the protocol; every later request fails with it. */
  violation: LeakError | null = null;

  /** The peer sent something no inspector sends: fail what waits, and stop listening to it. */
  private violate(what: string): void {
    if (this.violation) return;
    this.violation = new LeakError('unsupported', `the inspector sent ${what}; it does not speak the DevTools protocol as Node does, so leak-profile stopped (nothing it sent was used)`);
    for (const p of this.pending.values()) p.reject(this.violation);
    this.pending.clear();
    this.ws.terminate();
  }

  /** Connect to a webSocketDebuggerUrl. */
  static connect(url: string, timeoutMs = 5000): Promise<CdpSession> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
      const timer = setTimeout(() => (ws.terminate(), reject(new Error(`no answer from ${url} in ${timeoutMs} ms`))), timeoutMs);
      ws.once('open', () => (clearTimeout(timer), resolve(new CdpSession(ws))));
      ws.once('error', (e) => (clearTimeout(timer), reject(e)));
    });
  }

  /** Send a command and wait for its reply (rejects after `timeoutMs`). */
  send<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.violation) return reject(this.violation);
      if (this.isClosed) return reject(new Error('inspector connection closed'));
      const timer = setTimeout(() => (this.pending.delete(id), reject(new LeakError('timeout', `the target's inspector did not answer ${method} in ${Math.round(timeoutMs / 1000)} s`))), timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Send without waiting for a reply (for calls that tear the session down). */
  fire(method: string, params: Record<string, unknown> = {}): void {
    if (this.isClosed) return;
    this.ws.send(JSON.stringify({ id: this.nextId++, method, params }));
  }

  on(event: string, fn: (params: Record<string, unknown>) => void): void {
    this.listeners.set(event, fn);
  }

  close(): void {
    this.ws.close();
  }

  /** Drop the connection at once, without the closing handshake (a target that is exiting). */
  terminate(): void {
    this.ws.terminate();
  }
}

/** The WebSocket URL of the inspector listening on `s` (its /json/list), addressed where we asked; null if none answers. */
export async function debuggerUrl(s: ListeningSocket): Promise<string | null> {
  const host = s.loopback || s.address === '0.0.0.0' || s.address === '::' ? '127.0.0.1' : s.address.includes(':') ? `[${s.address}]` : s.address;
  try {
    const res = await fetch(`http://${host}:${s.port}/json/list`, { signal: AbortSignal.timeout(2000) });
    const list = (await res.json()) as { webSocketDebuggerUrl?: string }[];
    const url = Array.isArray(list) && isObject(list[0]) ? list[0].webSocketDebuggerUrl : undefined;
    // Connect where we asked, whatever host the target wrote into the URL.
    return typeof url === 'string' && url !== '' ? url.replace(/^ws:\/\/[^/]+/, `ws://${host}:${s.port}`) : null;
  } catch {
    return null;
  }
}


function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
