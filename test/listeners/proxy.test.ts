/**
 * PROXY protocol listeners of the built midge (enable_proxy_protocol 1 and
 * 2), fed headers written here over a raw socket as a load balancer would:
 * the real client address in the log, TLS facts and certificate names
 * from v2, and bad or missing headers closing the connection with a line.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { generate } from 'mqtt-packet';
import { freePort, type RunningBroker } from '../helpers/broker.js';
import { startListening } from './support.js';

let broker: RunningBroker;
let v1Port: number;
let v2Port: number;
let v2TlsPort: number;
let wsPort: number;

before(async () => {
  [v1Port, v2Port, v2TlsPort, wsPort] = await Promise.all(
    [1, 2, 3, 4].map(() => freePort()),
  );
  broker = await startListening({
    rawConfig: (port) =>
      `log_type all\nallow_anonymous true\nlistener ${port} 127.0.0.1\n` +
      `listener ${v1Port} 127.0.0.1\nenable_proxy_protocol 1\n` +
      `listener ${v2Port} 127.0.0.1\nenable_proxy_protocol 2\n` +
      `listener ${v2TlsPort} 127.0.0.1\nenable_proxy_protocol 2\n` +
      'proxy_protocol_v2_require_tls true\nrequire_certificate true\n' +
      'use_identity_as_username true\n' +
      `listener ${wsPort} 127.0.0.1\nprotocol websockets\nenable_proxy_protocol 1\n`,
  });
});
after(() => broker?.stop());

const connectPacket = (clientId: string) =>
  generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    clientId,
    username: 'from-connect',
  });

interface Outcome {
  /** The bytes midge sent back before closing (or within the wait). */
  reply: Buffer;
  closed: boolean;
}

/** Writes each chunk as its own write, then waits for a CONNACK or a close. */
async function exchange(port: number, chunks: Buffer[]): Promise<Outcome> {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let reply = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => {
    reply = Buffer.concat([reply, d]);
  });
  const closed = new Promise<true>((r) => socket.once('close', () => r(true)));
  await new Promise((r) => socket.once('connect', r));
  for (const chunk of chunks) {
    if (socket.destroyed) break;
    socket.write(chunk);
    await new Promise((r) => setTimeout(r, 2));
  }
  let waiting = true;
  const answered = new Promise<false>((resolve) => {
    const check = () => {
      if (reply.length >= 4) resolve(false);
      else if (waiting) setTimeout(check, 5);
    };
    check();
  });
  const timeout = new Promise<false>((r) => setTimeout(() => r(false), 2000).unref());
  const ended = await Promise.race([closed, answered, timeout]);
  waiting = false;
  socket.destroy();
  return { reply, closed: ended };
}

const CONNACK_OK = Buffer.from([0x20, 0x02, 0x00, 0x00]);

function v2Header(family: number, address: Buffer, tlvs: Buffer[] = []): Buffer {
  const body = Buffer.concat([address, ...tlvs]);
  const fixed = Buffer.from([0x21, family, body.length >> 8, body.length & 0xff]);
  const signature = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
  return Buffer.concat([signature, fixed, body]);
}

function tlv(type: number, value: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([type, value.length >> 8, value.length & 0xff]),
    value,
  ]);
}

/** The SSL TLV: client bits (1 = TLS, 4 = certificate), verify 0 = good. */
function sslTlv(client: number, subs: Buffer[]): Buffer {
  return tlv(0x20, Buffer.concat([Buffer.from([client, 0, 0, 0, 0]), ...subs]));
}

const ipv6Block = (() => {
  const block = Buffer.alloc(36);
  Buffer.from('20010db8000000000000000000000007', 'hex').copy(block, 0);
  block[31] = 1;
  block.writeUInt16BE(41000, 32);
  block.writeUInt16BE(1883, 34);
  return block;
})();

describe('PROXY v1', () => {
  test('the client address from the header is the one logged', async () => {
    const header = Buffer.from(`PROXY TCP4 192.0.2.5 127.0.0.1 6275 ${v1Port}\r\n`);
    const out = await exchange(v1Port, [
      Buffer.concat([header, connectPacket('proxied-v1')]),
    ]);
    assert.deepEqual(out.reply.subarray(0, 4), CONNACK_OK);
    await broker.waitForOutput(`New connection from 192.0.2.5:6275 on port ${v1Port}.`);
    await broker.waitForOutput(
      /New client connected from 192\.0\.2\.5:6275 as proxied-v1 /,
    );
  });

  test('a header arriving byte by byte works', async () => {
    const header = Buffer.from(`PROXY TCP6 2001:db8::9 ::1 50000 ${v1Port}\r\n`);
    const bytes = [...header].map((b) => Buffer.from([b]));
    const out = await exchange(v1Port, [...bytes, connectPacket('slow-v1')]);
    assert.deepEqual(out.reply.subarray(0, 4), CONNACK_OK);
    await broker.waitForOutput(/New client connected from 2001:db8::9:50000 as slow-v1 /);
  });

  test("a corrupt header closes the connection with Mosquitto's line", async () => {
    const out = await exchange(v1Port, [
      Buffer.from('PROXY TCP4 999.1.1.1 1.1.1.1 1 2\r\n'),
    ]);
    assert.equal(out.closed, true);
    assert.equal(out.reply.length, 0);
    await broker.waitForOutput('Connection rejected, corrupt PROXY header.');
  });

  test('MQTT with no header at all is refused before any MQTT is read', async () => {
    const out = await exchange(v1Port, [connectPacket('no-header')]);
    assert.equal(out.closed, true);
    assert.equal(out.reply.length, 0);
    assert.doesNotMatch(broker.output(), /as no-header /);
  });
});

describe('PROXY v2', () => {
  test('an IPv4 client behind a plain proxy', async () => {
    const address = Buffer.from([198, 51, 100, 7, 127, 0, 0, 1, 0x30, 0x39, 0x07, 0x5b]);
    const out = await exchange(v2Port, [
      v2Header(0x11, address),
      connectPacket('v2-plain'),
    ]);
    assert.deepEqual(out.reply.subarray(0, 4), CONNACK_OK);
    await broker.waitForOutput(
      /New client connected from 198\.51\.100\.7:12345 as v2-plain /,
    );
  });

  test('TLS ended at the proxy: version and cipher logged, CN as username', async () => {
    const ssl = sslTlv(0x05, [
      tlv(0x21, Buffer.from('TLSv1.3')),
      tlv(0x22, Buffer.from('client-good')),
      tlv(0x23, Buffer.from('TLS_AES_256_GCM_SHA384')),
    ]);
    const header = v2Header(0x21, ipv6Block, [ssl]);
    const out = await exchange(v2TlsPort, [header, connectPacket('v2-tls')]);
    assert.deepEqual(out.reply.subarray(0, 4), CONNACK_OK);
    const negotiated = 'negotiated TLSv1.3 cipher TLS_AES_256_GCM_SHA384';
    await broker.waitForOutput(`Connection from 2001:db8::7:41000 ${negotiated}`);
    await broker.waitForOutput(/as v2-tls \(p2, c1, k60, u'client-good'\)/);
  });

  test('v2_require_tls refuses a client that did not use TLS', async () => {
    const address = Buffer.from([192, 0, 2, 9, 127, 0, 0, 1, 0x12, 0x34, 0x07, 0x5b]);
    const out = await exchange(v2TlsPort, [
      v2Header(0x11, address),
      connectPacket('v2-clear'),
    ]);
    assert.equal(out.closed, true);
    await broker.waitForOutput(
      'Connection from 192.0.2.9:4660 rejected, client did not connect using TLS.',
    );
  });

  test('require_certificate refuses a TLS client without a certificate', async () => {
    const header = v2Header(0x21, ipv6Block, [sslTlv(0x01, [])]);
    const out = await exchange(v2TlsPort, [header, connectPacket('v2-nocert')]);
    assert.equal(out.closed, true);
    await broker.waitForOutput(
      'Connection from 2001:db8::7:41000 rejected, client did not provide a certificate.',
    );
  });

  test('a header whose TLV overruns it is corrupt', async () => {
    const address = Buffer.from([192, 0, 2, 10, 127, 0, 0, 1, 0, 1, 0, 2]);
    const bad = v2Header(0x11, address, [Buffer.from([0x04, 0x00, 0x20])]);
    const out = await exchange(v2Port, [bad, connectPacket('v2-bad')]);
    assert.equal(out.closed, true);
    await broker.waitForOutput(
      /Connection from 127\.0\.0\.1:\d+ rejected, corrupt PROXY header\./,
    );
  });
});

describe('PROXY before WebSockets', () => {
  test('the upgrade comes after the header; the client is logged by it', async () => {
    const header = `PROXY TCP4 203.0.113.9 127.0.0.1 7001 ${wsPort}\r\n`;
    const upgrade =
      'GET /mqtt HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Protocol: mqtt\r\n\r\n';
    const out = await exchange(wsPort, [Buffer.from(header + upgrade)]);
    assert.match(out.reply.toString(), /^HTTP\/1\.1 101 Switching Protocols/);
    await broker.waitForOutput(`New connection from 203.0.113.9:7001 on port ${wsPort}.`);
  });
});
