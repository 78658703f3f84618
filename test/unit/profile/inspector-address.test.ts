// Where a Node inspector would listen, from NODE_OPTIONS and argv, and how /proc/net/tcp{,6} addresses
// decode: the checks that keep leak-profile from opening an inspector beyond loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyInspectArgs, isLoopbackHost, type InspectAddress } from '../../../src/profile/node/inspector-address.js';
import { parseListening } from '../../../src/profile/node/inspector-port.js';

const addr = (args: string[], stopAtScript = true): InspectAddress => {
  const acc: InspectAddress = { host: '127.0.0.1', port: 9229, source: null };
  applyInspectArgs(args, 'its command line', acc, stopAtScript);
  return acc;
};

test('every form of the inspector options sets host and port; the last one wins', () => {
  assert.deepEqual(addr([]), { host: '127.0.0.1', port: 9229, source: null });
  assert.deepEqual(addr(['--inspect-port=0.0.0.0:0', 'app.js']), { host: '0.0.0.0', port: 0, source: '--inspect-port=0.0.0.0:0 in its command line' });
  assert.deepEqual(addr(['--inspect-port', '10.0.0.5', 'app.js']), { host: '10.0.0.5', port: 9229, source: '--inspect-port 10.0.0.5 in its command line' });
  assert.deepEqual(addr(['--inspect=[::]:9230']), { host: '[::]', port: 9230, source: '--inspect=[::]:9230 in its command line' });
  assert.deepEqual(addr(['--inspect-brk=4000']), { host: '127.0.0.1', port: 4000, source: null });
  assert.deepEqual(addr(['--debug-port=192.168.1.2:1']).host, '192.168.1.2');
  assert.equal(addr(['--inspect-wait=::1']).host, '::1');
  assert.equal(addr(['--inspect=0.0.0.0:1', '--inspect-port=127.0.0.1:2']).host, '127.0.0.1');
  // After the script name, arguments are the script's own, not Node's.
  assert.equal(addr(['app.js', '--inspect-port=0.0.0.0']).host, '127.0.0.1');
  // …but the value of -r is not the script name.
  assert.equal(addr(['-r', 'ts-node/register', '--inspect-port=0.0.0.0', 'app.js']).host, '0.0.0.0');
  // NODE_OPTIONS has no script name: every word counts.
  assert.equal(addr(['--max-old-space-size=4096', 'x', '--inspect-port=0.0.0.0'], false).host, '0.0.0.0');
});

test('loopback hosts are 127/8, ::1 and localhost, nothing else', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '[::]', '10.0.0.1', 'example.com', '128.0.0.1', '::ffff:10.0.0.1', '']) assert.ok(!isLoopbackHost(h), h);
});

test('/proc/net/tcp and tcp6 LISTEN lines decode to address, port and loopback', () => {
  const v4 = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:240D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0',
    '   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 222 1 0',
    '   2: 0100007F:240D 0100007F:9EFA 01 00000000:00000000 00:00000000 00000000     0        0 333 1 0',
  ].join('\n');
  const m = parseListening(v4);
  assert.deepEqual(m.get(111), { port: 9229, address: '127.0.0.1', loopback: true });
  assert.deepEqual(m.get(222), { port: 8080, address: '0.0.0.0', loopback: false });
  assert.equal(m.has(333), false, 'an established connection is not a listener');
  const v6 = [
    '  sl  local_address                         remote_address                        st',
    '   0: 00000000000000000000000001000000:240D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1 0',
    '   1: 00000000000000000000000000000000:240E 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0',
    '   2: 0000000000000000FFFF00000100007F:240F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 666 1 0',
  ].join('\n');
  const m6 = parseListening(v6);
  assert.deepEqual(m6.get(444), { port: 9229, address: '::1', loopback: true });
  assert.deepEqual(m6.get(555), { port: 9230, address: '::', loopback: false });
  assert.deepEqual(m6.get(666), { port: 9231, address: '::ffff:127.0.0.1', loopback: true });
});
