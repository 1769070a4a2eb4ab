/**
 * Encoder behaviour beyond the golden vectors: MQTT 5 fields dropped for
 * older peers, property key order, the shared-encoding packet-id patch,
 * and refusals of packets that cannot be put on the wire.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encode,
  type Packet,
  PacketType,
  publishPacketIdOffset,
  ReasonCode,
} from '../../../src/protocol/index.js';
import { decodeOne } from './helpers.js';

const hexOf = (p: Packet, v: 3 | 4 | 5) => encode(p, v).toString('hex');

test('encode below 5.0 drops properties and reason codes', () => {
  const publish: Packet = {
    type: PacketType.Publish,
    dup: false,
    qos: 0,
    retain: false,
    topic: 't',
    payload: Buffer.from('x'),
    properties: { contentType: 'c', userProperties: [['a', 'b']] },
  };
  assert.equal(hexOf(publish, 4), '3004000174' + '78');
  const puback: Packet = {
    type: PacketType.Puback,
    packetId: 1,
    reasonCode: ReasonCode.NotAuthorized,
    properties: { reasonString: 'no' },
  };
  assert.equal(hexOf(puback, 4), '40020001');
  const disconnect: Packet = { type: PacketType.Disconnect, reasonCode: 0x8b };
  assert.equal(hexOf(disconnect, 4), 'e000');
  const unsuback: Packet = {
    type: PacketType.Unsuback,
    packetId: 2,
    reasonCodes: [0x11],
  };
  assert.equal(hexOf(unsuback, 4), 'b0020002');
  const connack: Packet = {
    type: PacketType.Connack,
    sessionPresent: true,
    reasonCode: 0,
  };
  assert.equal(hexOf(connack, 4), '20020100');
  assert.equal(hexOf(connack, 3), '20020000', 'MQTT 3.1 has no session present flag');
});

test('SUBACK below 5.0 reports any 5.0 failure code as 0x80', () => {
  const suback: Packet = {
    type: PacketType.Suback,
    packetId: 1,
    reasonCodes: [
      ReasonCode.GrantedQoS1,
      ReasonCode.NotAuthorized,
      ReasonCode.QuotaExceeded,
    ],
  };
  assert.equal(hexOf(suback, 4), '9005000101' + '8080');
});

test('SUBSCRIBE below 5.0 carries only the QoS in the options byte', () => {
  const subscribe: Packet = {
    type: PacketType.Subscribe,
    packetId: 1,
    subscriptions: [
      {
        topicFilter: 'a',
        qos: 1,
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 2,
      },
    ],
  };
  assert.equal(hexOf(subscribe, 4), '8206000100016101');
  assert.equal(hexOf(subscribe, 5), '82070001000001612d');
});

test('AUTH cannot be encoded below 5.0', () => {
  assert.throws(() => encode({ type: PacketType.Auth, reasonCode: 0 }, 4), TypeError);
});

test('properties are written in the object key order', () => {
  const make = (properties: Record<string, number>): Packet => ({
    type: PacketType.Connack,
    sessionPresent: false,
    reasonCode: 0,
    properties,
  });
  assert.equal(
    hexOf(make({ receiveMaximum: 5, maximumQoS: 1 }), 5),
    '20080000' + '05' + '210005' + '2401',
  );
  assert.equal(
    hexOf(make({ maximumQoS: 1, receiveMaximum: 5 }), 5),
    '20080000' + '05' + '2401' + '210005',
  );
});

test('undefined property values are skipped', () => {
  const packet: Packet = {
    type: PacketType.Disconnect,
    reasonCode: 0,
    properties: { reasonString: undefined },
  };
  assert.equal(hexOf(packet, 5), 'e000');
});

test('publishPacketIdOffset finds the id for any header and topic size', () => {
  for (const payloadSize of [0, 100, 20_000, 3_000_000]) {
    for (const topic of ['t', 'a/longer/topic/name/é']) {
      const packet: Packet = {
        type: PacketType.Publish,
        dup: false,
        qos: 1,
        retain: false,
        topic,
        packetId: 1,
        payload: Buffer.alloc(payloadSize),
        properties: { messageExpiryInterval: 10 },
      };
      const buf = encode(packet, 5);
      buf.writeUInt16BE(0xbeef, publishPacketIdOffset(buf));
      const back = decodeOne(buf, 'client', 5);
      assert.deepEqual(back, { ...packet, packetId: 0xbeef }, `${payloadSize} ${topic}`);
    }
  }
});

test('refuses what cannot be encoded', () => {
  const long = 'x'.repeat(65_536);
  const publish = (props: object, topic = 't'): Packet =>
    ({
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic,
      payload: Buffer.alloc(0),
      properties: props,
    }) as Packet;
  assert.throws(() => encode(publish({}, long), 4), RangeError, 'topic over 65535 bytes');
  assert.throws(() => encode(publish({ bogus: 1 }), 5), TypeError, 'unknown property');
  const noId: Packet = { ...(publish({}) as object), qos: 1 } as Packet;
  assert.throws(() => encode(noId, 4), TypeError, 'QoS 1 without packet id');
  const huge = {
    ...(publish({}) as object),
    payload: Buffer.alloc(268_435_456),
  } as Packet;
  assert.throws(() => encode(huge, 4), RangeError, 'over the maximum remaining length');
});
