// HTTP to a metrics server (Prometheus, VictoriaMetrics, Thanos, Mimir), bounded: every request has a
// time limit that covers the body too (a server that sends headers then a byte a second is cut off),
// the whole read has a deadline, and an answer has a byte budget (a 1 GiB body is refused, not
// buffered). Failures are LeakErrors naming the server and what to do.
import { inputError, LeakError, notFoundError } from '../errors.js';
import { escapeControl } from '../text/escape.js';

export interface ClientLimits {
  /** Epoch ms by which the whole read must be done. */
  deadlineMs: number;
  /** Per request (headers and body). */
  requestMs: number;
  /** Largest JSON answer buffered whole. */
  maxAnswerBytes: number;
  /** Largest line of a streamed answer (one series of a bulk export). */
  maxLineBytes: number;
}

export const DEFAULT_LIMITS = { requestMs: 60_000, maxAnswerBytes: 64 * 1024 ** 2, maxLineBytes: 64 * 1024 ** 2 };

const timeoutError = (m: string) => new LeakError('timeout', m);

/** A server's base URL and the limits every request to it keeps. */
export class ServerClient {
  /** Bytes received so far, all requests together. */
  bytes = 0;
  requests = 0;
  constructor(readonly base: string, readonly limits: ClientLimits) {}

  url(path: string, params: [string, string][]): URL {
    const u = new URL(path, this.base.endsWith('/') ? this.base : `${this.base}/`);
    for (const [k, v] of params) u.searchParams.append(k, v);
    return u;
  }

  /**
   * Open a request; the body is read through `body()` within the same time limit. Resolves with the
   * status, or null for a 404/405 when `optional` (an endpoint this server does not have).
   */
  private async open(path: string, params: [string, string][], form: boolean): Promise<{ status: number; chunks: AsyncGenerator<Uint8Array>; done: () => void; progress: () => void }> {
    const left = this.limits.deadlineMs - Date.now();
    if (left <= 0) throw timeoutError(`reading from ${this.base} took past the --timeout; narrow --query or --since, or raise --timeout`);
    const ms = Math.min(this.limits.requestMs, left);
    const ctl = new AbortController();
    let timer = setTimeout(() => ctl.abort(), ms);
    // A stream that makes progress (a whole series received) gets a fresh request limit, within the
    // overall deadline; one that trickles (a byte a second) never completes one and is cut off.
    const progress = () => {
      clearTimeout(timer);
      timer = setTimeout(() => ctl.abort(), Math.max(1, Math.min(this.limits.requestMs, this.limits.deadlineMs - Date.now())));
    };
    const u = this.url(path, form ? [] : params);
    this.requests++;
    let res: Response;
    try {
      res = await fetch(u, form
        ? { method: 'POST', body: new URLSearchParams(params), signal: ctl.signal, redirect: 'manual', headers: { Accept: 'application/json', 'Accept-Encoding': 'identity' } }
        : { signal: ctl.signal, redirect: 'manual', headers: { Accept: 'application/json', 'Accept-Encoding': 'identity' } });
    } catch (e) {
      clearTimeout(timer);
      if (ctl.signal.aborted) throw timeoutError(`${this.base} did not answer ${u.pathname} within ${Math.round(ms / 1000)} s; check the server, or raise --timeout`);
      // the system's code (ECONNREFUSED), else fetch's own reason (`bad port` for ports it refuses)
      const c = (e as { cause?: { code?: string; message?: string } }).cause;
      const cause = escapeControl(c?.code ?? c?.message ?? (e as Error).message);
      throw notFoundError(`cannot reach the Prometheus API at ${this.base} (${cause}); check the URL given to --prometheus`, e);
    }
    // A redirect is not followed: a 301/302 turns the POST into a GET without its query, and the answer
    // would come from another server than the one named (and named in every message).
    if (res.status >= 300 && res.status < 400) {
      clearTimeout(timer);
      ctl.abort();
      const to = escapeControl((res.headers.get('location') ?? 'nowhere').slice(0, 200));
      throw inputError(`${this.base} answered ${u.pathname} with a redirect (HTTP ${res.status}) to ${to}, which is not followed; give --prometheus the server's own base URL`);
    }
    const reader = res.body?.getReader();
    const self = this;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      if (!reader) return;
      try {
        for (;;) {
          let r: ReadableStreamReadResult<Uint8Array>;
          try {
            r = await reader.read();
          } catch (e) {
            if (ctl.signal.aborted) {
              const why = Date.now() >= self.limits.deadlineMs ? 'the --timeout ran out' : `no progress in ${Math.round(ms / 1000)} s`;
              throw timeoutError(`${self.base} had sent ${self.bytes} bytes and was still sending ${u.pathname} when ${why}; the server is too slow or stuck: raise --timeout, or narrow --query or --since`);
            }
            throw inputError(`the answer of ${self.base} to ${u.pathname} broke off (${(e as Error).message}); retry, or check the server`);
          }
          if (r.done) return;
          self.bytes += r.value.byteLength;
          yield r.value;
        }
      } finally {
        clearTimeout(timer);
        if (!ctl.signal.aborted) ctl.abort(); // release the socket if the caller stopped early
      }
    }
    return { status: res.status, chunks: chunks(), done: () => (clearTimeout(timer), ctl.abort()), progress };
  }

  /**
   * GET (or POST as a form, for long selectors) a JSON answer; null for 404/405 when optional. `scan`
   * may read the bytes itself (a matrix of numbers: matrix-answer.ts); where it gives null, JSON.parse does.
   */
  async json(path: string, params: [string, string][], o: { optional?: boolean; form?: boolean; scan?: (body: Buffer) => unknown } = {}): Promise<{ status: number; body: unknown } | null> {
    const r = await this.open(path, params, o.form ?? false);
    if (o.optional && (r.status === 404 || r.status === 405)) {
      r.done();
      return null;
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const c of r.chunks) {
      size += c.byteLength;
      if (size > this.limits.maxAnswerBytes) {
        r.done();
        throw inputError(`${this.base} answered ${path} with more than ${this.limits.maxAnswerBytes >> 20} MiB; that is not a Prometheus API answer to a bounded query: check the URL`);
      }
      parts.push(c);
    }
    const bytes = Buffer.concat(parts);
    const scanned = o.scan?.(bytes);
    if (scanned) return { status: r.status, body: scanned };
    const text = bytes.toString('utf8');
    try {
      return { status: r.status, body: JSON.parse(text) as unknown };
    } catch {
      throw inputError(`${this.base} did not answer ${path} as the Prometheus API does (HTTP ${r.status}: ${escapeControl(text.slice(0, 80))}); give the server's base URL, e.g. http://prometheus:9090`);
    }
  }

  /**
   * A streamed answer, line by line, as bytes (VictoriaMetrics' bulk export: its parser reads the
   * numbers from the bytes); null for 404/405 or a non-200.
   */
  async lines(path: string, params: [string, string][]): Promise<{ status: number; lines: AsyncGenerator<Buffer>; errorText: () => Promise<string> } | null> {
    const r = await this.open(path, params, true);
    if (r.status === 404 || r.status === 405) {
      r.done();
      return null;
    }
    const max = this.limits.maxLineBytes;
    const base = this.base;
    async function* lines(): AsyncGenerator<Buffer> {
      let pending: Buffer[] = [];
      let size = 0;
      for await (const c of r.chunks) {
        let from = 0;
        for (let nl = c.indexOf(10, from); nl !== -1; nl = c.indexOf(10, from)) {
          const tail = Buffer.from(c.buffer, c.byteOffset + from, nl - from);
          // A line within one chunk is a view on it (no copy); the caller is done with it before the next.
          const line = pending.length ? Buffer.concat([...pending, tail]) : tail;
          pending = [];
          size = 0;
          from = nl + 1;
          r.progress();
          if (line.length > 0) yield line;
        }
        if (from < c.byteLength) {
          size += c.byteLength - from;
          if (size > max) throw inputError(`${base} sent a line of more than ${max >> 20} MiB in ${path}; one series that long is not an export: check the server`);
          pending.push(Buffer.from(c.buffer, c.byteOffset + from, c.byteLength - from));
        }
      }
      const rest = Buffer.concat(pending).toString('utf8').trim();
      if (rest) yield Buffer.from(rest);
    }
    const errorText = async () => {
      let t = '';
      for await (const c of r.chunks) {
        t += Buffer.from(c).toString('utf8');
        if (t.length > 4096) break;
      }
      r.done();
      return t;
    };
    return { status: r.status, lines: lines(), errorText };
  }
}
