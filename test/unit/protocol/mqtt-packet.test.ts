/**
 * Cross-check against mqtt-packet, the codec of MQTT.js: what it generates
 * we decode to the expected packet, what we encode it parses to the
 * expected object, and arbitrary packets survive a trip through both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as mqttPacket from 'mqtt-packet';
import {
  encode,
  type Packet,
  PacketType,
  type ProtocolVersion,
  ReasonCode,
} from '../../../src/protocol/index.js';
import { packetArb } from './arbitraries.js';
import { decodeOne, receiverOf } from './helpers.js';

/** Parses one packet with mqtt-packet; fails on its errors. */
function theirParse(buf: Buffer, version: ProtocolVersion): Record<string, unknown> {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const out: Record<string, unknown>[] = [];
  parser.on('packet', (p) => {
    out.push(p as unknown as Record<string, unknown>);
  });
  parser.on('error', (err: Error) => assert.fail(`mqtt-packet: ${err.message}`));
  parser.parse(buf);
  assert.equal(out.length, 1, 'mqtt-packet parsed one packet');
  return out[0]!;
}

function theirGenerate(packet: object, version: ProtocolVersion): Buffer {
  return mqttPacket.generate(packet as mqttPacket.Packet, { protocolVersion: version });
}

/** Every key of `expected` is deep-equal in `actual`; others are ignored. */
function assertSubset(
  actual: Record<string, unknown>,
  expected: Record<string, unknown>,
) {
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(actual[key], value, `field ${key}`);
  }
}

interface Pair {
  name: string;
  version: ProtocolVersion;
  theirs: Record<string, unknown>;
  ours: Packet;
}

const pairs: Pair[] = [
  {
    name: '3.1.1 CONNECT with will and credentials',
    version: 4,
    theirs: {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      clientId: 'cross',
      will: { topic: 'w', payload: Buffer.from('gone'), qos: 1, retain: true },
      username: 'u',
      password: Buffer.from('p'),
    },
    ours: {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 4,
      bridge: false,
      clean: true,
      keepAlive: 30,
      clientId: 'cross',
      will: { topic: 'w', payload: Buffer.from('gone'), qos: 1, retain: true },
      username: 'u',
      password: Buffer.from('p'),
    },
  },
  {
    name: '3.1 CONNECT',
    version: 3,
    theirs: {
      cmd: 'connect',
      protocolId: 'MQIsdp',
      protocolVersion: 3,
      clean: true,
      keepalive: 10,
      clientId: 'old',
    },
    ours: {
      type: PacketType.Connect,
      protocolName: 'MQIsdp',
      protocolVersion: 3,
      bridge: false,
      clean: true,
      keepAlive: 10,
      clientId: 'old',
    },
  },
  {
    name: '5.0 CONNECT with properties',
    version: 5,
    theirs: {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 5,
      clean: false,
      keepalive: 60,
      clientId: 'five',
      properties: {
        sessionExpiryInterval: 300,
        receiveMaximum: 10,
        topicAliasMaximum: 5,
      },
    },
    ours: {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 5,
      bridge: false,
      clean: false,
      keepAlive: 60,
      clientId: 'five',
      properties: {
        sessionExpiryInterval: 300,
        receiveMaximum: 10,
        topicAliasMaximum: 5,
      },
    },
  },
  {
    name: '5.0 CONNACK with properties',
    version: 5,
    theirs: {
      cmd: 'connack',
      sessionPresent: true,
      reasonCode: 0,
      properties: { assignedClientIdentifier: 'auto', maximumQoS: 1 },
    },
    ours: {
      type: PacketType.Connack,
      sessionPresent: true,
      reasonCode: ReasonCode.Success,
      properties: { assignedClientIdentifier: 'auto', maximumQoS: 1 },
    },
  },
  {
    name: '3.1.1 PUBLISH QoS 2 retained',
    version: 4,
    theirs: {
      cmd: 'publish',
      topic: 'x/y',
      payload: Buffer.from('data'),
      qos: 2,
      retain: true,
      dup: false,
      messageId: 42,
    },
    ours: {
      type: PacketType.Publish,
      dup: false,
      qos: 2,
      retain: true,
      topic: 'x/y',
      packetId: 42,
      payload: Buffer.from('data'),
    },
  },
  {
    name: '5.0 PUBLISH with properties',
    version: 5,
    theirs: {
      cmd: 'publish',
      topic: 'x',
      payload: Buffer.from('{}'),
      qos: 1,
      retain: false,
      dup: false,
      messageId: 7,
      properties: {
        messageExpiryInterval: 60,
        contentType: 'application/json',
        correlationData: Buffer.from([9]),
      },
    },
    ours: {
      type: PacketType.Publish,
      dup: false,
      qos: 1,
      retain: false,
      topic: 'x',
      packetId: 7,
      payload: Buffer.from('{}'),
      properties: {
        messageExpiryInterval: 60,
        contentType: 'application/json',
        correlationData: Buffer.from([9]),
      },
    },
  },
  {
    name: '3.1.1 SUBSCRIBE',
    version: 4,
    theirs: {
      cmd: 'subscribe',
      messageId: 3,
      subscriptions: [
        { topic: 'a/#', qos: 1 },
        { topic: '+/b', qos: 0 },
      ],
    },
    ours: {
      type: PacketType.Subscribe,
      packetId: 3,
      subscriptions: [
        {
          topicFilter: 'a/#',
          qos: 1,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
        },
        {
          topicFilter: '+/b',
          qos: 0,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
        },
      ],
    },
  },
  {
    name: '5.0 SUBSCRIBE with options',
    version: 5,
    theirs: {
      cmd: 'subscribe',
      messageId: 3,
      subscriptions: [{ topic: 'a', qos: 2, nl: true, rap: true, rh: 2 }],
    },
    ours: {
      type: PacketType.Subscribe,
      packetId: 3,
      subscriptions: [
        {
          topicFilter: 'a',
          qos: 2,
          noLocal: true,
          retainAsPublished: true,
          retainHandling: 2,
        },
      ],
    },
  },
  {
    name: '3.1.1 SUBACK',
    version: 4,
    theirs: { cmd: 'suback', messageId: 3, granted: [0, 1, 128] },
    ours: { type: PacketType.Suback, packetId: 3, reasonCodes: [0, 1, 128] },
  },
  {
    name: '3.1.1 UNSUBSCRIBE',
    version: 4,
    theirs: { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['a', 'b/c'] },
    ours: { type: PacketType.Unsubscribe, packetId: 4, topicFilters: ['a', 'b/c'] },
  },
  {
    name: '5.0 UNSUBACK',
    version: 5,
    theirs: { cmd: 'unsuback', messageId: 4, granted: [0, 17] },
    ours: {
      type: PacketType.Unsuback,
      packetId: 4,
      reasonCodes: [ReasonCode.Success, ReasonCode.NoSubscriptionExisted],
    },
  },
  {
    name: '3.1.1 PUBREL',
    version: 4,
    theirs: { cmd: 'pubrel', messageId: 9 },
    ours: { type: PacketType.Pubrel, packetId: 9 },
  },
  {
    name: '5.0 PUBACK with a reason code',
    version: 5,
    theirs: { cmd: 'puback', messageId: 9, reasonCode: 0x10 },
    ours: {
      type: PacketType.Puback,
      packetId: 9,
      reasonCode: ReasonCode.NoMatchingSubscribers,
    },
  },
  {
    name: '5.0 DISCONNECT with a reason string',
    version: 5,
    theirs: { cmd: 'disconnect', reasonCode: 0x8b, properties: { reasonString: 'bye' } },
    ours: {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.ServerShuttingDown,
      properties: { reasonString: 'bye' },
    },
  },
  {
    name: '5.0 AUTH',
    version: 5,
    theirs: {
      cmd: 'auth',
      reasonCode: 0x18,
      properties: { authenticationMethod: 'm', authenticationData: Buffer.from('d') },
    },
    ours: {
      type: PacketType.Auth,
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: { authenticationMethod: 'm', authenticationData: Buffer.from('d') },
    },
  },
  {
    name: 'PINGREQ',
    version: 4,
    theirs: { cmd: 'pingreq' },
    ours: { type: PacketType.Pingreq },
  },
];

for (const pair of pairs) {
  test(`mqtt-packet -> midge: ${pair.name}`, () => {
    const bytes = theirGenerate(pair.theirs, pair.version);
    assert.deepEqual(decodeOne(bytes, receiverOf(pair.ours), pair.version), pair.ours);
  });
  test(`midge -> mqtt-packet: ${pair.name}`, () => {
    const parsed = theirParse(encode(pair.ours, pair.version), pair.version);
    assertSubset(parsed, pair.theirs);
  });
}

function hasEmptyUserValue(value: unknown): boolean {
  if (Buffer.isBuffer(value) || typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const pairs = record.userProperties as Array<[string, string]> | undefined;
  if (pairs?.some(([, v]) => v === '')) return true;
  return Object.values(record).some(hasEmptyUserValue);
}

/** mqtt-packet groups user properties by name; compare them grouped. */
function groupUserProps(pairs: Array<[string, string]>): Array<[string, string]> {
  const byName = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    const values = byName.get(k) ?? [];
    values.push(v);
    byName.set(k, values);
  }
  // Names sorted: mqtt-packet keeps them in a plain object, where
  // integer-like names come first.
  const names = [...byName.keys()].sort();
  return names.flatMap((k) => byName.get(k)!.map((v): [string, string] => [k, v]));
}

/** A deep copy with every userProperties list grouped by name. */
function normalize(value: unknown): unknown {
  if (Buffer.isBuffer(value) || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(normalize);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === 'userProperties'
        ? groupUserProps(v as Array<[string, string]>)
        : normalize(v);
  }
  return out;
}

for (const v of [3, 4, 5] as const) {
  test(`arbitrary packets through mqtt-packet and back, version ${v}`, () => {
    fc.assert(
      fc.property(packetArb(v), (packet) => {
        // mqtt-packet refuses an empty client id, a broker-level decision.
        fc.pre(packet.type !== PacketType.Connect || packet.clientId !== '');
        // mqtt-packet 9 writes bridge levels 0x83/0x84 only, not 0x85.
        fc.pre(packet.type !== PacketType.Connect || !packet.bridge || v < 5);
        // It also wants a username beside a password, even in 5.0, and it
        // merges a repeated user property whose first value is ''.
        fc.pre(
          packet.type !== PacketType.Connect || !packet.password || !!packet.username,
        );
        fc.pre(!hasEmptyUserValue(packet));
        const theirs = theirParse(encode(packet, v), v);
        const back = decodeOne(theirGenerate(theirs, v), receiverOf(packet), v);
        assert.deepEqual(normalize(back), normalize(packet));
      }),
      { numRuns: 1000 },
    );
  });
}
