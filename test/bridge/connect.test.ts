/**
 * The CONNECT a bridge sends, seen by a small fake server of the test:
 * client id, clean session, keepalive, credentials, the will that carries
 * the "0" state, the bridge bit (try_private), the 2.1 MQTT 5 properties,
 * and the bind address. Also: a remote that refuses the bridge bit gets a
 * second CONNECT without it, as Mosquitto does.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import {
  type ConnectPacket,
  ConnectReturnCode,
  encode,
  type Packet,
  PacketDecoder,
  PacketType,
  type ProtocolVersion,
} from '../../src/protocol/index.js';
import { plainListener, startHost, until } from './helpers.js';

interface Seen {
  connect: ConnectPacket;
  remoteAddress: string;
  /** Every later packet of that connection. */
  packets: Packet[];
}

/** Accepts every CONNECT, unless `refuse` says otherwise; acks the rest. */
async function fakeServer(refuse: (c: ConnectPacket) => number = () => 0) {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    let version: ProtocolVersion = 4;
    let mine: Seen | undefined;
    const send = (p: Packet) => socket.write(encode(p, version));
    const decoder = new PacketDecoder(
      (p) => {
        if (p.type !== PacketType.Connect) mine?.packets.push(p);
        if (p.type === PacketType.Connect) {
          version = p.protocolVersion;
          mine = { connect: p, remoteAddress: socket.remoteAddress ?? '', packets: [] };
          seen.push(mine);
          const reasonCode = refuse(p);
          send({ type: PacketType.Connack, sessionPresent: false, reasonCode });
          if (reasonCode !== 0) socket.end();
        } else if (p.type === PacketType.Subscribe) {
          const reasonCodes = p.subscriptions.map((s) => s.qos);
          send({ type: PacketType.Suback, packetId: p.packetId, reasonCodes });
        } else if (p.type === PacketType.Unsubscribe) {
          send({ type: PacketType.Unsuback, packetId: p.packetId, reasonCodes: [0] });
        } else if (p.type === PacketType.Publish && p.qos === 1) {
          send({ type: PacketType.Puback, packetId: p.packetId! });
        }
      },
      { side: 'server' },
    );
    socket.on('data', (chunk) => {
      try {
        decoder.feed(chunk);
      } catch {
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const close = () => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, seen, close };
}

describe('the CONNECT of a bridge', { concurrency: true }, () => {
  test('MQTT 3.1.1 defaults: bridge bit, persistent, will, <hostname>.<name>', async (t) => {
    const fake = await fakeServer();
    t.after(() => fake.close());
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection c\naddress 127.0.0.1:${fake.port}\ntopic a in\n`,
    );
    t.after(() => host.stop());
    await until(() => fake.seen.length > 0, 3000);
    const c = fake.seen[0]!.connect;
    assert.equal(c.protocolVersion, 4);
    assert.equal(c.bridge, true, 'try_private sets bit 0x80 of the level');
    assert.equal(c.clean, false);
    assert.equal(c.keepAlive, 60);
    assert.equal(c.clientId, `${hostname()}.c`);
    assert.deepEqual(
      { ...c.will, payload: c.will?.payload.toString() },
      {
        topic: `$SYS/broker/connection/${hostname()}.c/state`,
        payload: '0',
        qos: 1,
        retain: true,
      },
    );
  });

  test('settings: ids, credentials, cleansession, keepalive, MQTT 5 properties', async (t) => {
    const fake = await fakeServer();
    t.after(() => fake.close());
    const host = await startHost(
      (p) =>
        `${plainListener(p)}max_inflight_messages 7\nconnection c\n` +
        `address 127.0.0.1:${fake.port}\nbridge_protocol_version mqttv50\n` +
        'remote_clientid far-id\nremote_username u\nremote_password secret\n' +
        'cleansession true\nkeepalive_interval 15\nnotifications false\n' +
        'bridge_session_expiry_interval 300\nbridge_max_topic_alias 4\ntopic a in\n',
    );
    t.after(() => host.stop());
    await until(() => fake.seen.length > 0, 3000);
    const c = fake.seen[0]!.connect;
    assert.equal(c.protocolVersion, 5);
    assert.equal(c.bridge, false, 'MQTT 5 uses no-local instead of the bit');
    assert.equal(c.clientId, 'far-id');
    assert.equal(c.username, 'u');
    assert.equal(c.password?.toString(), 'secret');
    assert.equal(c.clean, true);
    assert.equal(c.keepAlive, 15);
    assert.equal(c.will, undefined, 'no notifications, no will');
    assert.deepEqual(c.properties, {
      sessionExpiryInterval: 300,
      receiveMaximum: 7,
      topicAliasMaximum: 4,
    });
    assert.ok(host.server.broker.session('local.far-id'), 'local id follows');
  });

  test('subscriptions: in and both lines subscribe, out lines unsubscribe', async (t) => {
    const fake = await fakeServer();
    t.after(() => fake.close());
    const lines = 'topic i/# in 1\ntopic o/# out 1\ntopic b/# both 2 l/ r/\n';
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection c\naddress 127.0.0.1:${fake.port}\n` +
        `bridge_protocol_version mqttv50\n${lines}` +
        `connection d\naddress 127.0.0.1:${fake.port}\n` +
        `bridge_attempt_unsubscribe false\n${lines}`,
    );
    t.after(() => host.stop());
    await until(
      () => fake.seen.length === 2 && fake.seen.every((s) => s.packets.length >= 3),
    );
    const summary = (s: Seen) =>
      s.packets.flatMap((p) => {
        if (p.type === PacketType.Subscribe) {
          const x = p.subscriptions[0]!;
          const opts = `${x.noLocal ? 'nl' : ''}${x.retainAsPublished ? 'rap' : ''}`;
          return [`sub ${x.topicFilter} q${x.qos} ${opts}`.trim()];
        }
        if (p.type === PacketType.Unsubscribe) return [`unsub ${p.topicFilters[0]}`];
        return [];
      });
    const byId = (id: string) => fake.seen.find((s) => s.connect.clientId.endsWith(id))!;
    // MQTT 5: no-local and retain-as-published, in the order of the lines.
    assert.deepEqual(summary(byId('.c')), [
      'sub i/# q1 nlrap',
      'unsub o/#',
      'sub r/b/# q2 nlrap',
    ]);
    // MQTT 3.1.1 (the bridge bit does that job); no UNSUBSCRIBE when asked.
    assert.deepEqual(summary(byId('.d')), ['sub i/# q1', 'sub r/b/# q2']);
  });

  test('try_private false and bridge_bind_address', async (t) => {
    const fake = await fakeServer();
    t.after(() => fake.close());
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection c\naddress 127.0.0.1:${fake.port}\n` +
        'try_private false\nbridge_bind_address 127.0.0.2\ntopic a in\n',
    );
    t.after(() => host.stop());
    await until(() => fake.seen.length > 0, 3000);
    assert.equal(fake.seen[0]!.connect.bridge, false);
    assert.equal(fake.seen[0]!.remoteAddress, '127.0.0.2');
  });

  test('a remote refusing the bridge bit gets a plain CONNECT next', async (t) => {
    const fake = await fakeServer((c) =>
      c.bridge ? ConnectReturnCode.UnacceptableProtocolVersion : 0,
    );
    t.after(() => fake.close());
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection c\naddress 127.0.0.1:${fake.port}\n` +
        'restart_timeout 1\ntopic a in\n',
    );
    t.after(() => host.stop());
    await until(() => host.bridges.bridges.get('c')?.state === 'connected', 5000);
    assert.deepEqual(
      fake.seen.map((s) => s.connect.bridge),
      [true, false],
    );
    assert.ok(
      host.log.lines.includes('Connection Refused: unacceptable protocol version'),
    );
  });
});
