/**
 * Every refusal of the decoder, table-driven: the bytes, the side and
 * version that read them, and the ProtocolError code and reason code
 * expected. Each case names the spec statement (or Mosquitto behaviour)
 * it enforces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PacketDecoder,
  type ProtocolVersion,
  ReasonCode,
} from '../../../src/protocol/index.js';
import { protocolErrorOf, type Side, str } from './helpers.js';

interface ErrorCase {
  name: string;
  side: Side;
  version: ProtocolVersion;
  /** First byte, then the body; the remaining length is computed. */
  first: string;
  body: string[];
  code: string;
  reason: ReasonCode;
}

const M = ReasonCode.MalformedPacket;
const P = ReasonCode.ProtocolError;

/** A length-prefixed UTF-8 string field. */
function s(text: string): string {
  return Buffer.byteLength(text).toString(16).padStart(4, '0') + str(text);
}

function frame(first: string, body: string[]): Buffer {
  const bytes = Buffer.from(body.join('').replace(/\s+/g, ''), 'hex');
  const len: number[] = [];
  let n = bytes.length;
  do {
    len.push((n % 128) | (n >= 128 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.concat([Buffer.from(first, 'hex'), Buffer.from(len), bytes]);
}

const MQTT4 = `${s('MQTT')} 04`;
const MQTT5 = `${s('MQTT')} 05`;

const cases: ErrorCase[] = [
  // Fixed header
  {
    name: '[MQTT-1.5.5-1] remaining length over four bytes',
    ...raw('server', 4, '30 ff ff ff ff 01'),
    code: 'MALFORMED_REMAINING_LENGTH',
    reason: M,
  },
  {
    name: 'packet type 0 is reserved',
    ...raw('server', 4, '00 00'),
    code: 'RESERVED_PACKET_TYPE',
    reason: M,
  },
  ...wrongDirection(),
  {
    name: '[MQTT-3.3.1-4] PUBLISH with QoS 3',
    side: 'server',
    version: 4,
    first: '36',
    body: [s('a'), '0001'],
    code: 'INVALID_QOS',
    reason: M,
  },
  ...badFlags(),
  // CONNECT
  {
    name: '[MQTT-3.1.2-3] CONNECT reserved flag set',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '03', '003c', s('c')],
    code: 'CONNECT_RESERVED_FLAG',
    reason: M,
  },
  {
    name: '[MQTT-3.1.2-12] will QoS 3',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '1e', '003c', s('c'), s('w'), s('x')],
    code: 'INVALID_WILL_QOS',
    reason: M,
  },
  {
    name: '[MQTT-3.1.2-11] will QoS without will flag',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '0a', '003c', s('c')],
    code: 'INVALID_WILL_FLAGS',
    reason: M,
  },
  {
    name: '[MQTT-3.1.2-13] will retain without will flag',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '22', '003c', '00', s('c')],
    code: 'INVALID_WILL_FLAGS',
    reason: M,
  },
  {
    name: '[MQTT-3.1.2-22] 3.1.1 password without username',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '42', '003c', s('c'), s('pw')],
    code: 'PASSWORD_WITHOUT_USERNAME',
    reason: M,
  },
  {
    name: 'CONNECT with bytes after the payload',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '02', '003c', s('c'), 'ff'],
    code: 'TRAILING_BYTES',
    reason: M,
  },
  {
    name: 'CONNECT client id running past the packet',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '02', '003c', '0009 6162'],
    code: 'TRUNCATED_PACKET',
    reason: M,
  },
  {
    name: '[MQTT-1.5.4-1] client id with an overlong UTF-8 form',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '02', '003c', '0002 c0af'],
    code: 'INVALID_UTF8',
    reason: M,
  },
  {
    name: '[MQTT-1.5.4-1] client id with a UTF-16 surrogate',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '02', '003c', '0003 eda080'],
    code: 'INVALID_UTF8',
    reason: M,
  },
  {
    name: '[MQTT-1.5.4-2] client id with U+0000',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '02', '003c', '0002 6100'],
    code: 'INVALID_UTF8',
    reason: M,
  },
  {
    name: 'will topic with a wildcard [MQTT-3.1.3-11]',
    side: 'server',
    version: 4,
    first: '10',
    body: [MQTT4, '06', '003c', s('c'), s('a/#'), s('x')],
    code: 'INVALID_WILL_TOPIC',
    reason: ReasonCode.TopicNameInvalid,
  },
  {
    name: '[MQTT-2.2.2-2] 5.0 CONNECT with a PUBLISH-only property',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '03 230001', s('c')],
    code: 'INVALID_PROPERTY',
    reason: M,
  },
  {
    name: '5.0 will properties with a CONNECT-only property',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '06', '003c', '00', s('c'), '03 210001', s('w'), s('x')],
    code: 'INVALID_PROPERTY',
    reason: M,
  },
  {
    name: '3.1.2.11.2 session expiry interval twice',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '0a 1100000001 1100000002', s('c')],
    code: 'DUPLICATE_PROPERTY',
    reason: P,
  },
  {
    name: '3.1.2.11.3 receive maximum 0',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '03 210000', s('c')],
    code: 'INVALID_PROPERTY_VALUE',
    reason: P,
  },
  {
    name: '3.1.2.11.4 maximum packet size 0',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '05 2700000000', s('c')],
    code: 'INVALID_PROPERTY_VALUE',
    reason: P,
  },
  {
    name: '3.1.2.11.7 request problem information 2',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '02 1702', s('c')],
    code: 'INVALID_PROPERTY_VALUE',
    reason: P,
  },
  {
    name: '3.1.2.11.10 authentication data without a method',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '04 16000161', s('c')],
    code: 'AUTH_DATA_WITHOUT_METHOD',
    reason: P,
  },
  {
    name: '2.2.2.1 property length past the end of the packet',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '7f', s('c')],
    code: 'BAD_PROPERTY_LENGTH',
    reason: M,
  },
  {
    name: '2.2.2.1 a property overrunning the property length',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '02 11000000', '00', s('c')],
    code: 'BAD_PROPERTY_LENGTH',
    reason: M,
  },
  {
    name: '[MQTT-2.2.2-2] unknown property identifier 0x05',
    side: 'server',
    version: 5,
    first: '10',
    body: [MQTT5, '02', '003c', '02 0500', s('c')],
    code: 'INVALID_PROPERTY',
    reason: M,
  },
  // PUBLISH
  {
    name: '[MQTT-3.3.2-2] PUBLISH topic with a wildcard',
    side: 'server',
    version: 4,
    first: '30',
    body: [s('a/+/b'), '6869'],
    code: 'INVALID_TOPIC_NAME',
    reason: ReasonCode.TopicNameInvalid,
  },
  {
    name: '[MQTT-4.7.3-1] 3.1.1 PUBLISH with an empty topic',
    side: 'server',
    version: 4,
    first: '30',
    body: ['0000', '6869'],
    code: 'INVALID_TOPIC_NAME',
    reason: ReasonCode.TopicNameInvalid,
  },
  {
    name: '3.3.2.1 5.0 PUBLISH with an empty topic and no alias',
    side: 'server',
    version: 5,
    first: '30',
    body: ['0000', '00', '6869'],
    code: 'EMPTY_TOPIC',
    reason: P,
  },
  {
    name: '[MQTT-2.2.1-3] PUBLISH QoS 1 with packet id 0',
    side: 'server',
    version: 4,
    first: '32',
    body: [s('a'), '0000'],
    code: 'PACKET_ID_ZERO',
    reason: P,
  },
  {
    name: '3.3.2.3.4 topic alias 0',
    side: 'server',
    version: 5,
    first: '30',
    body: [s('a'), '03 230000'],
    code: 'INVALID_PROPERTY_VALUE',
    reason: P,
  },
  {
    name: '3.3.2.3.2 payload format indicator 2',
    side: 'server',
    version: 5,
    first: '30',
    body: [s('a'), '02 0102'],
    code: 'INVALID_PROPERTY_VALUE',
    reason: P,
  },
  {
    name: '[MQTT-3.3.4-6] subscription identifier in a PUBLISH from a client',
    side: 'server',
    version: 5,
    first: '30',
    body: [s('a'), '02 0b01'],
    code: 'INVALID_PROPERTY',
    reason: P,
  },
  {
    name: '3.3.2.3.8 subscription identifier 0',
    side: 'client',
    version: 5,
    first: '30',
    body: [s('a'), '02 0b00'],
    code: 'INVALID_PROPERTY_VALUE',
    reason: P,
  },
  {
    name: '[MQTT-3.3.2-14] response topic with a wildcard',
    side: 'server',
    version: 5,
    first: '30',
    body: [s('a'), `04 08${s('#')}`],
    code: 'INVALID_PROPERTY_VALUE',
    reason: P,
  },
  {
    name: '[MQTT-1.5.4-1] PUBLISH topic that is not UTF-8',
    side: 'server',
    version: 4,
    first: '30',
    body: ['0002 ff61'],
    code: 'INVALID_UTF8',
    reason: M,
  },
  {
    name: 'Mosquitto: PUBLISH topic with control character U+0001',
    side: 'server',
    version: 4,
    first: '30',
    body: ['0003 610162'],
    code: 'INVALID_UTF8',
    reason: M,
  },
  {
    name: 'Mosquitto: PUBLISH topic with non-character U+FFFE',
    side: 'server',
    version: 4,
    first: '30',
    body: ['0003 efbfbe'],
    code: 'INVALID_UTF8',
    reason: M,
  },
  // Acknowledgements
  {
    name: '[MQTT-2.2.1-3] PUBACK with packet id 0',
    side: 'server',
    version: 4,
    first: '40',
    body: ['0000'],
    code: 'PACKET_ID_ZERO',
    reason: P,
  },
  {
    name: '3.1.1 PUBACK longer than 2 bytes',
    side: 'server',
    version: 4,
    first: '40',
    body: ['0001 00'],
    code: 'TRAILING_BYTES',
    reason: M,
  },
  {
    name: '3.4.2.1 PUBACK reason code not in its table',
    side: 'server',
    version: 5,
    first: '40',
    body: ['0001 05'],
    code: 'INVALID_REASON_CODE',
    reason: M,
  },
  {
    name: '3.6.2.1 PUBREL with a PUBACK-only reason code',
    side: 'server',
    version: 5,
    first: '62',
    body: ['0001 10'],
    code: 'INVALID_REASON_CODE',
    reason: M,
  },
  {
    name: '[MQTT-2.2.2-2] PUBACK with a property not allowed in it',
    side: 'server',
    version: 5,
    first: '40',
    body: ['0001 00 02 0101'],
    code: 'INVALID_PROPERTY',
    reason: M,
  },
  // SUBSCRIBE / UNSUBSCRIBE
  {
    name: '[MQTT-3.8.3-3] SUBSCRIBE without a filter',
    side: 'server',
    version: 4,
    first: '82',
    body: ['0001'],
    code: 'NO_TOPIC_FILTERS',
    reason: P,
  },
  {
    name: '[MQTT-2.2.1-3] SUBSCRIBE with packet id 0',
    side: 'server',
    version: 4,
    first: '82',
    body: ['0000', s('a'), '00'],
    code: 'PACKET_ID_ZERO',
    reason: P,
  },
  {
    name: '[MQTT-3-8.3-4] 3.1.1 subscription options beyond QoS',
    side: 'server',
    version: 4,
    first: '82',
    body: ['0001', s('a'), '04'],
    code: 'SUBSCRIPTION_RESERVED_BITS',
    reason: M,
  },
  {
    name: '[MQTT-3.8.3-5] 5.0 subscription options reserved bits',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '00', s('a'), '40'],
    code: 'SUBSCRIPTION_RESERVED_BITS',
    reason: M,
  },
  {
    name: '[MQTT-3.8.3-5] retain handling 3',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '00', s('a'), '30'],
    code: 'INVALID_RETAIN_HANDLING',
    reason: M,
  },
  {
    name: '3.8.3.1 subscription QoS 3',
    side: 'server',
    version: 4,
    first: '82',
    body: ['0001', s('a'), '03'],
    code: 'INVALID_QOS',
    reason: M,
  },
  {
    name: '[MQTT-4.7.1-1] filter with # not last',
    side: 'server',
    version: 4,
    first: '82',
    body: ['0001', s('a/#/b'), '00'],
    code: 'INVALID_TOPIC_FILTER',
    reason: ReasonCode.TopicFilterInvalid,
  },
  {
    name: '[MQTT-4.7.1-2] filter with + inside a level',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '00', s('a+/b'), '00'],
    code: 'INVALID_TOPIC_FILTER',
    reason: ReasonCode.TopicFilterInvalid,
  },
  {
    name: '[MQTT-4.7.3-1] empty filter',
    side: 'server',
    version: 4,
    first: '82',
    body: ['0001', '0000', '00'],
    code: 'INVALID_TOPIC_FILTER',
    reason: ReasonCode.TopicFilterInvalid,
  },
  {
    name: '[MQTT-4.8.2-1] shared subscription without a filter',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '00', s('$share/g'), '00'],
    code: 'INVALID_TOPIC_FILTER',
    reason: ReasonCode.TopicFilterInvalid,
  },
  {
    name: '[MQTT-4.8.2-2] shared subscription with a wildcard in the group',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '00', s('$share/g+/a'), '00'],
    code: 'INVALID_TOPIC_FILTER',
    reason: ReasonCode.TopicFilterInvalid,
  },
  {
    name: '[MQTT-3.8.3-4] no local on a shared subscription',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '00', s('$share/g/a'), '04'],
    code: 'SHARED_NO_LOCAL',
    reason: P,
  },
  {
    name: '3.8.2.1.2 two subscription identifiers in SUBSCRIBE',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '04 0b01 0b02', s('a'), '00'],
    code: 'DUPLICATE_PROPERTY',
    reason: P,
  },
  {
    name: '3.8.2.1.2 subscription identifier 0 in SUBSCRIBE',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '02 0b00', s('a'), '00'],
    code: 'INVALID_PROPERTY_VALUE',
    reason: P,
  },
  {
    name: '[MQTT-1.5.5-1] subscription identifier over four bytes',
    side: 'server',
    version: 5,
    first: '82',
    body: ['0001', '06 0bffffffff01', s('a'), '00'],
    code: 'MALFORMED_VARIABLE_INTEGER',
    reason: M,
  },
  {
    name: '[MQTT-3.10.3-2] UNSUBSCRIBE without a filter',
    side: 'server',
    version: 5,
    first: 'a2',
    body: ['0001', '00'],
    code: 'NO_TOPIC_FILTERS',
    reason: P,
  },
  {
    name: '[MQTT-4.7.1-1] UNSUBSCRIBE with an invalid filter',
    side: 'server',
    version: 4,
    first: 'a2',
    body: ['0001', s('#/a')],
    code: 'INVALID_TOPIC_FILTER',
    reason: ReasonCode.TopicFilterInvalid,
  },
  // Server to client
  {
    name: '[MQTT-3.2.2-1] CONNACK reserved flag set',
    side: 'client',
    version: 4,
    first: '20',
    body: ['02 00'],
    code: 'CONNACK_RESERVED_FLAG',
    reason: M,
  },
  {
    name: '3.2.2.3 3.1.1 CONNACK return code 6',
    side: 'client',
    version: 4,
    first: '20',
    body: ['00 06'],
    code: 'INVALID_REASON_CODE',
    reason: M,
  },
  {
    name: '3.2.2.2 5.0 CONNACK reason code not in its table',
    side: 'client',
    version: 5,
    first: '20',
    body: ['00 01 00'],
    code: 'INVALID_REASON_CODE',
    reason: M,
  },
  {
    name: '3.9.3 3.1.1 SUBACK return code 3',
    side: 'client',
    version: 4,
    first: '90',
    body: ['0001 03'],
    code: 'INVALID_REASON_CODE',
    reason: M,
  },
  {
    name: '3.9.3 SUBACK without return codes',
    side: 'client',
    version: 4,
    first: '90',
    body: ['0001'],
    code: 'NO_REASON_CODES',
    reason: P,
  },
  {
    name: '3.11 3.1.1 UNSUBACK longer than 2 bytes',
    side: 'client',
    version: 4,
    first: 'b0',
    body: ['0001 00'],
    code: 'TRAILING_BYTES',
    reason: M,
  },
  {
    name: '3.11.3 5.0 UNSUBACK reason code not in its table',
    side: 'client',
    version: 5,
    first: 'b0',
    body: ['0001 00 10'],
    code: 'INVALID_REASON_CODE',
    reason: M,
  },
  {
    name: 'PINGRESP with a body',
    side: 'client',
    version: 4,
    first: 'd0',
    body: ['00'],
    code: 'TRAILING_BYTES',
    reason: M,
  },
  // DISCONNECT and AUTH
  {
    name: '3.14 3.1.1 DISCONNECT with a body',
    side: 'server',
    version: 4,
    first: 'e0',
    body: ['00'],
    code: 'TRAILING_BYTES',
    reason: M,
  },
  {
    name: '3.14.2.1 DISCONNECT reason code not in its table',
    side: 'server',
    version: 5,
    first: 'e0',
    body: ['05'],
    code: 'INVALID_REASON_CODE',
    reason: M,
  },
  {
    name: '3.15.2.1 AUTH reason code not in its table',
    side: 'server',
    version: 5,
    first: 'f0',
    body: ['01'],
    code: 'INVALID_REASON_CODE',
    reason: M,
  },
];

/** A case written as whole bytes, length included (for broken lengths). */
function raw(side: Side, version: ProtocolVersion, bytes: string) {
  const [first, ...rest] = bytes.split(' ');
  return { side, version, first: first!, body: rest, rawLength: true };
}

function wrongDirection(): ErrorCase[] {
  const toServer = ['20 02 0000', '90 03 000100', 'b0 02 0001', 'd0 00'];
  const toClient = ['10 00', '82 00', 'a2 00', 'c0 00'];
  const make = (side: Side, version: ProtocolVersion, bytes: string) => ({
    name: `a ${side} receiving packet type ${bytes.slice(0, 1)} (version ${version})`,
    ...raw(side, version, bytes),
    code: 'UNEXPECTED_PACKET_TYPE',
    reason: P,
  });
  return [
    ...toServer.map((b) => make('server', 5, b)),
    ...toClient.map((b) => make('client', 5, b)),
    make('server', 4, 'f0 00'), // AUTH below 5.0
    make('client', 4, 'f0 00'),
    make('client', 4, 'e0 00'), // a 3.1.1 server never sends DISCONNECT
  ];
}

/** [MQTT-2.2.2-2] reserved fixed-header flags. */
function badFlags(): ErrorCase[] {
  const list: Array<[Side, string]> = [
    ['server', '60 02 0001'], // PUBREL must be 0b0010
    ['server', '80 03 0001 00'], // SUBSCRIBE must be 0b0010
    ['server', 'a0 02 0001'], // UNSUBSCRIBE must be 0b0010
    ['server', '41 02 0001'], // PUBACK must be 0
    ['server', 'c1 00'], // PINGREQ must be 0
    ['server', '11 00'], // CONNECT must be 0
    ['server', 'e2 00'], // DISCONNECT must be 0
    ['client', '2f 02 0000'], // CONNACK must be 0
  ];
  return list.map(([side, bytes]) => ({
    name: `[MQTT-2.2.2-2] reserved flags in ${bytes}`,
    ...raw(side, 4, bytes),
    code: 'INVALID_HEADER_FLAGS',
    reason: M,
  }));
}

function bytesOf(c: ErrorCase & { rawLength?: boolean }): Buffer {
  if (c.rawLength) return Buffer.from([c.first, ...c.body].join(''), 'hex');
  return frame(c.first, c.body);
}

for (const c of cases) {
  test(`refuses: ${c.name}`, () => {
    const decoder = new PacketDecoder(() => {}, { side: c.side, version: c.version });
    const err = protocolErrorOf(() => decoder.feed(bytesOf(c)));
    assert.equal(err.code, c.code);
    assert.equal(err.reasonCode, c.reason, `reason 0x${err.reasonCode.toString(16)}`);
  });
}
