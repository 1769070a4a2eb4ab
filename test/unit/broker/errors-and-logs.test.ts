import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { LogType } from '../../../src/log/log-types.js';
import { PacketType, ReasonCode } from '../../../src/protocol/index.js';
import {
  captureLogger,
  connected,
  connectPacket,
  nextPublish,
  open,
  publish,
  startBroker,
  sub,
  subscribe,
  tick,
} from './helpers.js';

describe('bad input', () => {
  test('5.0: a malformed packet -> DISCONNECT 0x81 and a Mosquitto log line', async () => {
    const log = captureLogger(LogType.Notice);
    const broker = startBroker({}, log);
    const c = await connected(broker, 'bad', 5);
    c.sendRaw(Buffer.from([0x30, 0x05, 0x00, 0x09, 0x61, 0x62, 0x63]));
    assert.deepEqual(await c.next(), {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.MalformedPacket,
    });
    await c.waitClosed();
    assert.ok(log.lines.includes('Client bad disconnected due to malformed packet.'));
  });

  test('3.1.1: a protocol error closes without a packet', async () => {
    const log = captureLogger(LogType.Notice);
    const broker = startBroker({}, log);
    const c = await connected(broker, 'bad');
    c.sendRaw(Buffer.from([0x82, 0x02, 0x00, 0x01])); // SUBSCRIBE without filters
    await c.waitClosed();
    assert.equal(c.received.length, 0);
    assert.ok(log.lines.includes('Client bad disconnected due to protocol error.'));
  });

  test('a malformed CONNECT closes the connection', async () => {
    const broker = startBroker();
    const c = open(broker);
    // CONNECT 5.0 with a property length running past the packet.
    c.sendRaw(
      Buffer.from([0x10, 0x0d, 0, 4, 0x4d, 0x51, 0x54, 0x54, 5, 2, 0, 60, 9, 0, 0]),
    );
    await c.waitClosed();
    assert.equal(broker.stats.clientsConnected, 0);
  });

  test('random bytes never throw out of the broker nor disturb others', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, sub('t'));
    for (let i = 0; i < 200; i++) {
      const c = i % 2 === 0 ? open(broker) : await connected(broker, `r${i}`, 5);
      c.sendRaw(randomBytes(1 + (i % 64)));
      c.close();
    }
    await tick();
    const p = await connected(broker, 'p');
    publish(p, 't', 'still here');
    assert.equal((await nextPublish(s)).payload.toString(), 'still here');
  });

  test('a packet split across chunks is decoded', async () => {
    const broker = startBroker();
    const c = open(broker);
    const { encode } = await import('../../../src/protocol/index.js');
    const bytes = encode(connectPacket({ clientId: 'split' }), 4);
    for (const b of bytes) c.sendRaw(Buffer.from([b]));
    assert.equal((await c.next()).type, PacketType.Connack);
  });
});

describe('log lines', () => {
  test('connect and disconnect lines in Mosquitto words', async () => {
    const log = captureLogger(LogType.Notice);
    const broker = startBroker({}, log);
    const c = await connected(broker, 'alice', 4, { username: 'al', keepAlive: 30 });
    c.send({ type: PacketType.Disconnect });
    await c.waitClosed();
    const d = await connected(broker, 'bob', 5, { clean: false });
    d.close();
    await tick();
    const lines = log.lines.map((l) => l.replace(/:\d+ /, ':PORT '));
    assert.deepEqual(lines, [
      'New connection from 127.0.0.1:PORT on port default.',
      "New client connected from 127.0.0.1:PORT as alice (p2, c1, k30, u'al').",
      'Client alice disconnected.',
      'New connection from 127.0.0.1:PORT on port default.',
      'New client connected from 127.0.0.1:PORT as bob (p5, c0, k60).',
      'Client bob closed its connection.',
    ]);
  });

  test('connection_messages false silences them', async () => {
    const log = captureLogger(LogType.Notice);
    const broker = startBroker({ connectionMessages: false }, log);
    const c = await connected(broker, 'quiet');
    c.close();
    await tick();
    assert.deepEqual(log.lines, []);
  });

  test('debug and subscribe lines for a QoS 1 exchange', async () => {
    const log = captureLogger(LogType.Debug | LogType.Subscribe | LogType.Unsubscribe);
    const broker = startBroker({}, log);
    const s = await connected(broker, 's');
    await subscribe(s, sub('a/#', 1));
    const p = await connected(broker, 'p');
    publish(p, 'a/x', 'hello', { qos: 1, packetId: 1 });
    const m = await nextPublish(s);
    s.send({ type: PacketType.Puback, packetId: m.packetId as number });
    s.send({ type: PacketType.Unsubscribe, packetId: 2, topicFilters: ['a/#'] });
    await s.next();
    for (const line of [
      'Received SUBSCRIBE from s',
      '\ta/# (QoS 1)',
      's 1 a/#',
      'Sending SUBACK to s',
      "Received PUBLISH from p (d0, q1, r0, m1, 'a/x', ... (5 bytes))",
      "Sending PUBLISH to s (d0, q1, r0, m1, 'a/x', ... (5 bytes))",
      'Sending PUBACK to p (m1, rc0)',
      'Received PUBACK from s (Mid: 1, RC:0)',
      'Received UNSUBSCRIBE from s',
      's a/#',
      'Sending UNSUBACK to s',
    ]) {
      assert.ok(log.lines.includes(line), `missing: ${line}`);
    }
  });

  test('no debug line is built when debug is off', async () => {
    let built = 0;
    const logger = {
      mask: LogType.Notice,
      write: (type: LogType) => {
        if (type === LogType.Debug) built++;
      },
    };
    const broker = startBroker({}, logger);
    const s = await connected(broker, 's');
    await subscribe(s, sub('t'));
    publish(s, 't', 'x');
    await nextPublish(s);
    assert.equal(built, 0);
  });
});

describe('stats', () => {
  test('packets, bytes and publishes are counted', async () => {
    const broker = startBroker();
    const s = await connected(broker, 's');
    await subscribe(s, sub('t'));
    publish(s, 't', 'abc');
    await nextPublish(s);
    const st = broker.stats;
    assert.equal(st.messagesReceived, 3); // CONNECT, SUBSCRIBE, PUBLISH
    assert.equal(st.messagesSent, 3); // CONNACK, SUBACK, PUBLISH
    assert.equal(st.publishReceived, 1);
    assert.equal(st.publishSent, 1);
    assert.equal(st.publishBytesReceived, 3);
    assert.equal(st.publishBytesSent, 3);
    assert.ok(st.bytesReceived > 0 && st.bytesSent > 0);
    assert.equal(st.subscriptionsCount, 1);
  });

  test('messages stored: queued, in flight and retained, back to retained only', async () => {
    const broker = startBroker({ maxInflightMessages: 1 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('t', 1));
    const p = await connected(broker, 'p');
    publish(p, 'keep', 'r', { retain: true });
    for (let i = 1; i <= 3; i++) publish(p, 't', `${i}`, { qos: 1, packetId: i });
    await tick();
    assert.equal(broker.stats.messagesStored, 4);
    for (let i = 0; i < 3; i++) {
      const m = await nextPublish(s);
      s.send({ type: PacketType.Puback, packetId: m.packetId as number });
    }
    assert.equal(broker.stats.messagesStored, 1);
    assert.equal(broker.stats.retainedCount, 1);
  });
});
