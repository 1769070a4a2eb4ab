/**
 * Golden byte vectors for MQTT 3.1 and 3.1.1, one field per line. Each
 * vector is checked both ways: decode(bytes) equals the packet and
 * encode(packet) equals the bytes.
 */
import { ConnectReturnCode, PacketType } from '../../../src/protocol/index.js';
import { runVectors, str, type Vector } from './helpers.js';

const b = (s: string) => Buffer.from(s);

const vectors: Vector[] = [
  {
    name: 'CONNECT 3.1.1, clean session, no will or credentials',
    version: 4,
    bytes: [
      '10 10', //          CONNECT, remaining length 16
      '0004 4d515454', //  protocol name 'MQTT'
      '04', //             protocol level 4
      '02', //             flags: clean session
      '003c', //           keep alive 60 s
      '0004 74657374', //  client id 'test'
    ],
    packet: {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 4,
      bridge: false,
      clean: true,
      keepAlive: 60,
      clientId: 'test',
    },
  },
  {
    name: 'CONNECT 3.1.1 with will, username and password',
    version: 4,
    bytes: [
      '10 22', //          CONNECT, remaining length 34
      '0004 4d515454', //  protocol name 'MQTT'
      '04', //             protocol level 4
      'ee', //             flags: username, password, will retain, will QoS 1, will, clean
      '000a', //           keep alive 10 s
      '0002 6331', //      client id 'c1'
      '0003 772f74', //    will topic 'w/t'
      '0003 627965', //    will payload 'bye'
      '0004 75736572', //  username 'user'
      '0002 7077', //      password 'pw'
    ],
    packet: {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 4,
      bridge: false,
      clean: true,
      keepAlive: 10,
      clientId: 'c1',
      will: { topic: 'w/t', payload: b('bye'), qos: 1, retain: true },
      username: 'user',
      password: b('pw'),
    },
  },
  {
    name: 'CONNECT 3.1 (MQIsdp, level 3)',
    version: 3,
    bytes: [
      '10 12', //              CONNECT, remaining length 18
      '0006 4d5149736470', //  protocol name 'MQIsdp'
      '03', //                 protocol level 3
      '00', //                 flags: none (persistent session)
      '0000', //               keep alive off
      '0004 74657374', //      client id 'test'
    ],
    packet: {
      type: PacketType.Connect,
      protocolName: 'MQIsdp',
      protocolVersion: 3,
      bridge: false,
      clean: false,
      keepAlive: 0,
      clientId: 'test',
    },
  },
  {
    name: 'CONNECT 3.1.1 from a bridge (level 0x84), empty client id',
    version: 4,
    bytes: [
      '10 0c', //          CONNECT, remaining length 12
      '0004 4d515454', //  protocol name 'MQTT'
      '84', //             level 4 with the bridge bit 0x80
      '02', //             flags: clean session
      'ffff', //           keep alive 65535 s
      '0000', //           client id ''
    ],
    packet: {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 4,
      bridge: true,
      clean: true,
      keepAlive: 65535,
      clientId: '',
    },
  },
  {
    name: 'CONNACK 3.1.1, session present, accepted',
    version: 4,
    bytes: [
      '20 02', // CONNACK, remaining length 2
      '01', //    session present
      '00', //    return code: accepted
    ],
    packet: { type: PacketType.Connack, sessionPresent: true, reasonCode: 0 },
  },
  {
    name: 'CONNACK 3.1.1, not authorized',
    version: 4,
    bytes: [
      '20 02', // CONNACK, remaining length 2
      '00', //    no session
      '05', //    return code 5: not authorized
    ],
    packet: {
      type: PacketType.Connack,
      sessionPresent: false,
      reasonCode: ConnectReturnCode.NotAuthorized,
    },
  },
  {
    name: 'CONNACK 3.1, unacceptable protocol version',
    version: 3,
    bytes: [
      '20 02', // CONNACK, remaining length 2
      '00', //    reserved byte in 3.1
      '01', //    return code 1
    ],
    packet: {
      type: PacketType.Connack,
      sessionPresent: false,
      reasonCode: ConnectReturnCode.UnacceptableProtocolVersion,
    },
  },
  {
    name: 'PUBLISH QoS 0',
    version: 4,
    bytes: [
      '30 0a', //        PUBLISH, QoS 0, remaining length 10
      '0003 612f62', //  topic 'a/b'
      '68656c6c6f', //   payload 'hello'
    ],
    packet: {
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic: 'a/b',
      payload: b('hello'),
    },
  },
  {
    name: 'PUBLISH QoS 1, DUP and RETAIN',
    version: 4,
    bytes: [
      '3b 09', //        PUBLISH, DUP | QoS 1 | RETAIN, remaining length 9
      '0003 612f62', //  topic 'a/b'
      '0007', //         packet id 7
      '6869', //         payload 'hi'
    ],
    packet: {
      type: PacketType.Publish,
      dup: true,
      qos: 1,
      retain: true,
      topic: 'a/b',
      packetId: 7,
      payload: b('hi'),
    },
  },
  {
    name: 'PUBLISH QoS 2, empty payload, 3.1',
    version: 3,
    bytes: [
      '34 07', //        PUBLISH, QoS 2, remaining length 7
      '0003 612f62', //  topic 'a/b'
      '0102', //         packet id 258
    ],
    packet: {
      type: PacketType.Publish,
      dup: false,
      qos: 2,
      retain: false,
      topic: 'a/b',
      packetId: 258,
      payload: Buffer.alloc(0),
    },
  },
  {
    name: 'PUBLISH with a two-byte remaining length',
    version: 4,
    bytes: [
      '30 cb01', //       PUBLISH, remaining length 203 (0xcb 0x01)
      '0001 74', //       topic 't'
      'aa'.repeat(200), // payload: 200 bytes of 0xaa
    ],
    packet: {
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic: 't',
      payload: Buffer.alloc(200, 0xaa),
    },
  },
  {
    name: 'PUBLISH with a UTF-8 topic',
    version: 4,
    bytes: [
      '30 0b', //               PUBLISH, remaining length 11
      `0008 ${str('été/ü')}`, // topic 'été/ü' (8 bytes)
      '21', //                  payload '!'
    ],
    packet: {
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic: 'été/ü',
      payload: b('!'),
    },
  },
  {
    name: 'PUBACK',
    version: 4,
    bytes: ['40 02', '0007'], // PUBACK, remaining length 2; packet id 7
    packet: { type: PacketType.Puback, packetId: 7 },
  },
  {
    name: 'PUBREC',
    version: 4,
    bytes: ['50 02', '0007'], // PUBREC, remaining length 2; packet id 7
    packet: { type: PacketType.Pubrec, packetId: 7 },
  },
  {
    name: 'PUBREL (flags 0b0010)',
    version: 4,
    bytes: ['62 02', '0007'], // PUBREL, remaining length 2; packet id 7
    packet: { type: PacketType.Pubrel, packetId: 7 },
  },
  {
    name: 'PUBCOMP',
    version: 4,
    bytes: ['70 02', 'ffff'], // PUBCOMP, remaining length 2; packet id 65535
    packet: { type: PacketType.Pubcomp, packetId: 65535 },
  },
  {
    name: 'SUBSCRIBE with two filters',
    version: 4,
    bytes: [
      '82 0e', //        SUBSCRIBE (flags 0b0010), remaining length 14
      '000a', //         packet id 10
      '0003 612f23', //  filter 'a/#'
      '01', //           requested QoS 1
      '0003 622f2b', //  filter 'b/+'
      '02', //           requested QoS 2
    ],
    packet: {
      type: PacketType.Subscribe,
      packetId: 10,
      subscriptions: [
        {
          topicFilter: 'a/#',
          qos: 1,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
        },
        {
          topicFilter: 'b/+',
          qos: 2,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 0,
        },
      ],
    },
  },
  {
    name: 'SUBACK with a failure',
    version: 4,
    bytes: [
      '90 05', // SUBACK, remaining length 5
      '000a', // packet id 10
      '01', //   granted QoS 1
      '02', //   granted QoS 2
      '80', //   failure
    ],
    packet: { type: PacketType.Suback, packetId: 10, reasonCodes: [1, 2, 0x80] },
  },
  {
    name: 'UNSUBSCRIBE',
    version: 4,
    bytes: [
      'a2 07', //        UNSUBSCRIBE (flags 0b0010), remaining length 7
      '000b', //         packet id 11
      '0003 612f23', //  filter 'a/#'
    ],
    packet: { type: PacketType.Unsubscribe, packetId: 11, topicFilters: ['a/#'] },
  },
  {
    name: 'UNSUBACK',
    version: 4,
    bytes: ['b0 02', '000b'], // UNSUBACK, remaining length 2; packet id 11
    packet: { type: PacketType.Unsuback, packetId: 11 },
  },
  {
    name: 'PINGREQ',
    version: 4,
    bytes: ['c0 00'],
    packet: { type: PacketType.Pingreq },
  },
  {
    name: 'PINGRESP',
    version: 3,
    bytes: ['d0 00'],
    packet: { type: PacketType.Pingresp },
  },
  {
    name: 'DISCONNECT',
    version: 4,
    bytes: ['e0 00'],
    packet: { type: PacketType.Disconnect },
  },
];

runVectors(vectors);
