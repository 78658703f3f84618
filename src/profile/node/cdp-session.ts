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
      let msg: { id?: number; method?: string; params?: Record<string, unknown>; result?: unknown; error?: { message: string } };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return; // not CDP: ignore rather than crash
      }
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
      } else if (msg.method) this.listeners.get(msg.method)?.(msg.params ?? {});
    });
    this.closed = new Promise((resolve) => ws.once('close', () => {
      this.isClosed = true;
      for (const p of this.pending.values()) p.reject(new Error('inspector connection closed'));
      this.pending.clear();
      resolve();
    }));
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
    const url = list[0]?.webSocketDebuggerUrl;
    // Connect where we asked, whatever host the target wrote into the URL.
    return url ? url.replace(/^ws:\/\/[^/]+/, `ws://${host}:${s.port}`) : null;
  } catch {
    return null;
  }
}

