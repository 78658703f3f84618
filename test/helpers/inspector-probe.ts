// What another local user could do with a Node inspector port: an unprivileged process (uid 65534, via
// setpriv) fetches /json/list and runs Runtime.evaluate over a hand-rolled WebSocket. Tests use it as a
// positive control while an inspector is open, and to prove nothing can attach once it is closed.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';

const CLIENT = String.raw`
const http = require('node:http');
const crypto = require('node:crypto');
const port = Number(process.argv[2]);
const done = (s) => { console.log(s); process.exit(0); };
setTimeout(() => done('REFUSED timeout'), 8000).unref();
http.get({ host: '127.0.0.1', port, path: '/json/list', timeout: 3000 }, (res) => {
  let body = '';
  res.on('data', (c) => (body += c));
  res.on('end', () => {
    let url;
    try { url = new URL(JSON.parse(body)[0].webSocketDebuggerUrl); } catch { return done('REFUSED no debugger'); }
    const req = http.request({ host: '127.0.0.1', port, path: url.pathname, headers: {
      Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64') } });
    req.on('upgrade', (_res, sock) => {
      const payload = Buffer.from(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: 'process.pid' } }));
      const mask = crypto.randomBytes(4);
      const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
      sock.write(Buffer.concat([head, mask, payload.map((b, i) => b ^ mask[i % 4])]));
      let got = Buffer.alloc(0);
      sock.on('data', (d) => {
        got = Buffer.concat([got, d]);
        const m = /"value":(\d+)/.exec(got.toString('latin1'));
        if (m) done('ATTACHED ' + m[1]);
      });
      sock.on('error', (e) => done('REFUSED ' + e.code));
    });
    req.on('error', (e) => done('REFUSED ' + e.code));
    req.end();
  });
}).on('error', (e) => done('REFUSED ' + e.code));
`;

let clientFile: string | null = null;

/**
 * Try, as uid/gid 65534 with no groups, to run code in the inspector on `port`: "ATTACHED <pid the
 * code saw>" or "REFUSED <why>".
 */
export function attachAsNobody(port: number): string {
  if (!clientFile) {
    const dir = mkdtempSync(path.join(tmpdir(), 'ld-probe-'));
    chmodSync(dir, 0o755);
    clientFile = path.join(dir, 'client.cjs');
    writeFileSync(clientFile, CLIENT, { mode: 0o644 });
  }
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, clientFile, String(port)], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`the probe failed to run: ${r.stderr}`);
  return r.stdout.trim();
}
