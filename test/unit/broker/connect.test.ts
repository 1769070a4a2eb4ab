import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LogType } from '../../../src/log/log-types.js';
import {
  ConnectReturnCode,
  encode,
  PacketType,
  ReasonCode,
} from '../../../src/protocol/index.js';
import {
  captureLogger,
  connect,
  connected,
  connectPacket,
  open,
  startBroker,
} from './helpers.js';

describe('connect - first packet and protocol level', () => {
  test('a first packet other than CONNECT closes the connection [MQTT-3.1.0-1]', async () => {
    const broker = startBroker();
    const c = open(broker);
    c.sendRaw(encode({ type: PacketType.Pingreq }, 4));
    await c.waitClosed();
    assert.equal(c.received.length, 0);
  });

  test('a second CONNECT is a protocol error [MQTT-3.1.0-2]', async () => {
    const broker = startBroker();
    const c = await connected(broker, 'twice', 5);
    c.send(connectPacket({ clientId: 'twice', protocolVersion: 5 }));
    const d = await c.next();
    assert.deepEqual(d, {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.ProtocolError,
    });
    await c.waitClosed();
  });

  test('unknown protocol level gets CONNACK 0x01 in 3.x [MQTT-3.1.2-2]', async () => {
    const broker = startBroker();
    const c = open(broker);
    const bytes = encode(connectPacket({ protocolVersion: 4 }), 4);
    bytes[8] = 7; // protocol level byte
    c.sendRaw(bytes);
    const ack = await c.next();
    assert.equal(ack.type, PacketType.Connack);
    assert.equal(ack.reasonCode, ConnectReturnCode.UnacceptableProtocolVersion);
    await c.waitClosed();
  });

  test('accept_protocol_versions refuses like an unknown level', async () => {
    const broker = startBroker();
    const versions = new Set([4 as const]);
    const v5 = await connect(broker, {
      protocolVersion: 5,
      listener: { acceptProtocolVersions: versions },
    });
    assert.equal(v5.connack.reasonCode, ReasonCode.UnsupportedProtocolVersion);
    const v3 = await connect(broker, {
      protocolVersion: 3,
      listener: { acceptProtocolVersions: versions },
    });
    assert.equal(v3.connack.reasonCode, ConnectReturnCode.UnacceptableProtocolVersion);
    await v3.client.waitClosed();
  });
});

describe('connect - client identifier', () => {
  test('3.1.1: empty id with clean session is accepted [MQTT-3.1.3-7]', async () => {
    const broker = startBroker();
    const { connack } = await connect(broker, { clientId: '', clean: true });
    assert.equal(connack.reasonCode, 0);
  });

  test('3.1.1: empty id without clean session is rejected 0x02 [MQTT-3.1.3-8]', async () => {
    const broker = startBroker();
    const { client, connack } = await connect(broker, { clientId: '', clean: false });
    assert.equal(connack.reasonCode, ConnectReturnCode.IdentifierRejected);
    await client.waitClosed();
  });

  test('3.1: an empty id is rejected', async () => {
    const broker = startBroker();
    const { connack } = await connect(broker, { clientId: '', protocolVersion: 3 });
    assert.equal(connack.reasonCode, ConnectReturnCode.IdentifierRejected);
  });

  test('5.0: an empty id gets an Assigned Client Identifier [MQTT-3.2.2-16]', async () => {
    const broker = startBroker({ autoIdPrefix: 'gen-' });
    const { connack } = await connect(broker, { clientId: '', protocolVersion: 5 });
    assert.equal(connack.reasonCode, 0);
    const id = connack.properties?.assignedClientIdentifier ?? '';
    assert.match(id, /^gen-[0-9A-F-]{36}$/);
    assert.ok(broker.session(id));
  });

  test('allow_zero_length_clientid false refuses empty ids', async () => {
    const broker = startBroker({ allowZeroLengthClientId: false });
    const v4 = await connect(broker, { clientId: '' });
    assert.equal(v4.connack.reasonCode, ConnectReturnCode.IdentifierRejected);
    // Mosquitto answers Unspecified Error to 5.0 here (observed).
    const v5 = await connect(broker, { clientId: '', protocolVersion: 5 });
    assert.equal(v5.connack.reasonCode, ReasonCode.UnspecifiedError);
  });

  test('use_username_as_clientid replaces the id; no username is not authorised', async () => {
    const broker = startBroker();
    const listener = { useUsernameAsClientId: true };
    const ok = await connect(broker, { clientId: 'x', username: 'alice', listener });
    assert.equal(ok.connack.reasonCode, 0);
    assert.ok(broker.session('alice'));
    assert.equal(broker.session('x'), undefined);
    const no = await connect(broker, { clientId: 'y', listener });
    assert.equal(no.connack.reasonCode, ConnectReturnCode.NotAuthorized);
  });
});

describe('connect - authentication', () => {
  test('allow_anonymous false refuses a client without username', async () => {
    const broker = startBroker({ allowAnonymous: false });
    const v4 = await connect(broker, { clientId: 'a' });
    assert.equal(v4.connack.reasonCode, ConnectReturnCode.NotAuthorized);
    const v5 = await connect(broker, { clientId: 'a', protocolVersion: 5 });
    assert.equal(v5.connack.reasonCode, ReasonCode.NotAuthorized);
    const user = await connect(broker, { clientId: 'a', username: 'u' });
    assert.equal(user.connack.reasonCode, 0);
  });

  test('the authenticate hook decides, synchronously or not', async () => {
    const broker = startBroker();
    broker.hooks.authenticate = async (_c, user, pass) => {
      await new Promise((r) => setTimeout(r, 5));
      return user === 'u' && pass?.toString() === 'p'
        ? ReasonCode.Success
        : ReasonCode.BadUserNameOrPassword;
    };
    const bad = await connect(broker, { username: 'u', password: Buffer.from('x') });
    assert.equal(bad.connack.reasonCode, ConnectReturnCode.BadUserNameOrPassword);
    // A packet sent right behind CONNECT waits for the answer.
    const c = open(broker);
    c.send(connectPacket({ username: 'u', password: Buffer.from('p') }));
    c.send({ type: PacketType.Pingreq });
    assert.equal((await c.next()).type, PacketType.Connack);
    assert.equal((await c.next()).type, PacketType.Pingresp);
  });

  test('5.0: an Authentication Method nobody handles gets 0x8C', async () => {
    const broker = startBroker();
    const { connack, client } = await connect(broker, {
      protocolVersion: 5,
      properties: { authenticationMethod: 'SCRAM-SHA-1' },
    });
    assert.equal(connack.reasonCode, ReasonCode.BadAuthenticationMethod);
    await client.waitClosed();
  });

  test('5.0: enhanced authentication exchanges AUTH packets', async () => {
    const broker = startBroker();
    broker.hooks.enhancedAuth = {
      supports: (m) => m === 'TOY',
      start: () => ({
        reasonCode: ReasonCode.ContinueAuthentication,
        data: Buffer.from('nonce'),
      }),
      continue: (_c, _m, data) =>
        data?.toString() === 'nonce-signed'
          ? { reasonCode: ReasonCode.Success, data: Buffer.from('ok') }
          : { reasonCode: ReasonCode.NotAuthorized },
    };
    const c = open(broker);
    c.send(
      connectPacket({ protocolVersion: 5, properties: { authenticationMethod: 'TOY' } }),
    );
    const challenge = await c.next();
    assert.equal(challenge.type, PacketType.Auth);
    assert.equal(challenge.reasonCode, ReasonCode.ContinueAuthentication);
    assert.equal(challenge.properties?.authenticationData?.toString(), 'nonce');
    c.send({
      type: PacketType.Auth,
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: {
        authenticationMethod: 'TOY',
        authenticationData: Buffer.from('nonce-signed'),
      },
    });
    const ack = await c.next();
    assert.equal(ack.type, PacketType.Connack);
    assert.equal(ack.reasonCode, 0);
    assert.equal(ack.properties?.authenticationMethod, 'TOY');
    assert.equal(ack.properties?.authenticationData?.toString(), 'ok');
  });
});

describe('connect - CONNACK', () => {
  test('5.0 CONNACK properties come in Mosquitto order', async () => {
    const broker = startBroker({
      retainAvailable: false,
      maxPacketSize: 1000,
      maxKeepalive: 30,
      maxInflightMessages: 10,
    });
    const { connack } = await connect(broker, {
      clientId: '',
      protocolVersion: 5,
      keepAlive: 60,
      listener: { maxQos: 1 },
    });
    const props = connack.properties ?? {};
    assert.deepEqual(Object.keys(props), [
      'topicAliasMaximum',
      'serverKeepAlive',
      'assignedClientIdentifier',
      'retainAvailable',
      'maximumPacketSize',
      'receiveMaximum',
      'maximumQoS',
    ]);
    assert.equal(props.serverKeepAlive, 30);
    assert.equal(props.receiveMaximum, 10);
    assert.equal(props.maximumQoS, 1);
  });

  test('default 5.0 CONNACK: topic alias maximum and receive maximum only', async () => {
    const broker = startBroker();
    const { connack } = await connect(broker, { protocolVersion: 5 });
    assert.deepEqual(connack.properties, { topicAliasMaximum: 10, receiveMaximum: 20 });
  });

  test('session present only when a stored session resumes [MQTT-3.2.2-2] [MQTT-3.2.2-3]', async () => {
    const broker = startBroker();
    const first = await connect(broker, { clientId: 'p', clean: false });
    assert.equal(first.connack.sessionPresent, false);
    first.client.close();
    await new Promise((r) => setTimeout(r, 5));
    const again = await connect(broker, { clientId: 'p', clean: false });
    assert.equal(again.connack.sessionPresent, true);
    const clean = await connect(broker, { clientId: 'p', clean: true });
    assert.equal(clean.connack.sessionPresent, false);
  });
});

describe('connect - keepalive', () => {
  test('5.0: max_keepalive overrides with Server Keep Alive, also for 0 [MQTT-3.2.2-21]', async () => {
    const broker = startBroker({ maxKeepalive: 20 });
    const zero = await connect(broker, { protocolVersion: 5, keepAlive: 0 });
    assert.equal(zero.connack.properties?.serverKeepAlive, 20);
    const low = await connect(broker, {
      clientId: 'l',
      protocolVersion: 5,
      keepAlive: 10,
    });
    assert.equal(low.connack.properties?.serverKeepAlive, undefined);
  });

  test('3.x: a keepalive over max_keepalive is accepted, as Mosquitto 2.0.11 does', async () => {
    const broker = startBroker({ maxKeepalive: 20 });
    const { connack } = await connect(broker, { keepAlive: 60 });
    assert.equal(connack.reasonCode, ConnectReturnCode.Accepted);
  });

  test('an unknown protocol name closes without CONNACK [MQTT-3.1.2-1]', async () => {
    const broker = startBroker();
    const c = open(broker);
    const bytes = encode(connectPacket({ protocolVersion: 5 }), 5);
    bytes[7] = 0x58; // 'MQTX'
    c.sendRaw(bytes);
    await c.waitClosed();
    assert.equal(c.received.length, 0);
  });

  test('a silent client is closed after 1.5 keepalive periods [MQTT-3.1.2-24]', async () => {
    const log = captureLogger(LogType.Notice);
    const broker = startBroker({}, log);
    const c = await connected(broker, 'sleepy', 5, { keepAlive: 10 });
    broker.sweep(Date.now() + 14_000);
    assert.equal(c.closed, false);
    broker.sweep(Date.now() + 15_100);
    const d = await c.next();
    assert.deepEqual(d, {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.KeepAliveTimeout,
    });
    await c.waitClosed();
    assert.ok(log.lines.includes('Client sleepy has exceeded timeout, disconnecting.'));
  });

  test('a socket that never sends CONNECT is closed after connect_timeout', async () => {
    const broker = startBroker({ connectTimeout: 5 });
    const c = open(broker);
    broker.sweep(Date.now() + 4000);
    assert.equal(c.closed, false);
    broker.sweep(Date.now() + 6000);
    await c.waitClosed();
  });
});

describe('connect - take-over', () => {
  test('a second connection with the same id closes the first [MQTT-3.1.4-2]', async () => {
    const log = captureLogger(LogType.Notice);
    const broker = startBroker({}, log);
    const watcher = await connected(broker, 'watcher');
    watcher.send({
      type: PacketType.Subscribe,
      packetId: 1,
      subscriptions: [
        {
          topicFilter: 'will',
          qos: 0,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
        },
      ],
    });
    await watcher.next();
    const old = await connected(broker, 'dup', 5, {
      will: { topic: 'will', payload: Buffer.from('gone'), qos: 0, retain: false },
    });
    await connected(broker, 'dup', 5);
    const d = await old.next();
    assert.deepEqual(d, {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.SessionTakenOver,
    });
    await old.waitClosed();
    // Mosquitto publishes the old connection's will on take-over.
    const will = await watcher.next();
    assert.equal(will.type === PacketType.Publish && will.payload.toString(), 'gone');
    assert.ok(
      log.lines.includes('Client dup already connected, closing old connection.'),
    );
  });

  test('take-over of a session that ends with its connection starts afresh', async () => {
    const broker = startBroker();
    const old = await connected(broker, 'x', 5, { clean: false });
    const { connack } = await connect(broker, {
      clientId: 'x',
      protocolVersion: 5,
      clean: false,
    });
    await old.waitClosed();
    assert.equal(connack.sessionPresent, false);
    assert.ok(broker.session('x')?.connection);
  });

  test('take-over of a persistent session resumes it', async () => {
    const broker = startBroker();
    const old = await connected(broker, 'y', 4, { clean: false });
    old.send({
      type: PacketType.Subscribe,
      packetId: 1,
      subscriptions: [
        {
          topicFilter: 't',
          qos: 1,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
        },
      ],
    });
    await old.next();
    const { connack } = await connect(broker, { clientId: 'y', clean: false });
    assert.equal(connack.sessionPresent, true);
    assert.equal(broker.session('y')?.subscriptions.size, 1);
  });
});
