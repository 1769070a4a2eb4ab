/**
 * The streaming decoder: packets split across chunks, many packets in one
 * chunk, stop(), suspend() and resume(), the version switch on CONNECT, refusals of unsupported
 * protocol versions, and maxPacketSize enforced before buffering.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encode,
  type Packet,
  PacketDecoder,
  PacketType,
  type ProtocolVersion,
  ReasonCode,
} from '../../../src/protocol/index.js';
import { protocolErrorOf, str } from './helpers.js';

const connect5: Packet = {
  type: PacketType.Connect,
  protocolName: 'MQTT',
  protocolVersion: 5,
  bridge: false,
  clean: true,
  keepAlive: 60,
  clientId: 'stream',
  properties: { sessionExpiryInterval: 30 },
};

/** What a 5.0 client sends in a session: CONNECT first, then the rest. */
const session: Packet[] = [
  connect5,
  {
    type: PacketType.Publish,
    dup: false,
    qos: 1,
    retain: false,
    topic: 'a/b',
    packetId: 1,
    payload: Buffer.alloc(300, 7), // two-byte remaining length
    properties: { userProperties: [['k', 'v']] },
  },
  {
    type: PacketType.Subscribe,
    packetId: 2,
    subscriptions: [
      {
        topicFilter: 'x/#',
        qos: 2,
        noLocal: false,
        retainAsPublished: true,
        retainHandling: 1,
      },
    ],
  },
  { type: PacketType.Pingreq },
  { type: PacketType.Pubrel, packetId: 1, reasonCode: ReasonCode.Success },
  { type: PacketType.Disconnect, reasonCode: ReasonCode.Success },
];
const sessionBytes = Buffer.concat(session.map((p) => encode(p, 5)));

function collect(version?: ProtocolVersion) {
  const packets: Packet[] = [];
  const decoder = new PacketDecoder((p) => packets.push(p), { side: 'server', version });
  return { packets, decoder };
}

test('decoder: many packets in one chunk', () => {
  const { packets, decoder } = collect();
  decoder.feed(sessionBytes);
  assert.deepEqual(packets, session);
  assert.equal(decoder.version, 5, 'version taken from the CONNECT');
});

test('decoder: fed one byte at a time', () => {
  const { packets, decoder } = collect();
  for (let i = 0; i < sessionBytes.length; i++)
    decoder.feed(sessionBytes.subarray(i, i + 1));
  assert.deepEqual(packets, session);
});

test('decoder: every split into two chunks', () => {
  for (let cut = 0; cut <= sessionBytes.length; cut++) {
    const { packets, decoder } = collect();
    decoder.feed(sessionBytes.subarray(0, cut));
    decoder.feed(sessionBytes.subarray(cut));
    assert.deepEqual(packets, session, `split at ${cut}`);
  }
});

test('decoder: every split into three chunks of the PUBLISH region', () => {
  const start = encode(connect5, 5).length;
  for (let a = start; a < start + 40; a++) {
    for (let b = a; b < sessionBytes.length; b += 17) {
      const { packets, decoder } = collect();
      decoder.feed(sessionBytes.subarray(0, a));
      decoder.feed(sessionBytes.subarray(a, b));
      decoder.feed(sessionBytes.subarray(b));
      assert.deepEqual(packets, session, `split at ${a}, ${b}`);
    }
  }
});

test('decoder: payload is a view into the chunk when the packet is whole', () => {
  const chunk = encode(
    {
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic: 't',
      payload: Buffer.from('xyz'),
    },
    4,
  );
  const { packets, decoder } = collect(4);
  decoder.feed(chunk);
  const p = packets[0] as Extract<Packet, { type: PacketType.Publish }>;
  assert.equal(p.payload.buffer, chunk.buffer, 'shares the chunk memory');
  assert.equal(p.payload.toString(), 'xyz');
});

test('decoder: stop() from onPacket ends decoding at once and for good', () => {
  const packets: Packet[] = [];
  const decoder = new PacketDecoder(
    (p) => {
      packets.push(p);
      if (p.type === PacketType.Subscribe) decoder.stop();
    },
    { side: 'server' },
  );
  decoder.feed(sessionBytes);
  assert.deepEqual(packets, session.slice(0, 3));
  decoder.feed(encode({ type: PacketType.Pingreq }, 5));
  assert.equal(packets.length, 3);
});

test('decoder: suspend() from onPacket keeps the rest of the chunk until resume()', () => {
  const packets: Packet[] = [];
  const decoder = new PacketDecoder(
    (p) => {
      packets.push(p);
      if (p.type === PacketType.Publish) decoder.suspend();
    },
    { side: 'server' },
  );
  // The rest of the chunk, then a chunk ending mid-packet, wait unread.
  const split = sessionBytes.length - 3;
  decoder.feed(sessionBytes.subarray(0, split));
  assert.deepEqual(packets, session.slice(0, 2));
  decoder.feed(sessionBytes.subarray(split));
  assert.equal(packets.length, 2);
  decoder.resume();
  assert.deepEqual(packets, session);
});

test('decoder: suspended at the end of a chunk, the next chunk waits', () => {
  // Two decoders, each stopping after every packet: what waits in one
  // must never be seen by the other.
  const make = () => {
    const packets: Packet[] = [];
    const decoder: PacketDecoder = new PacketDecoder(
      (p) => {
        packets.push(p);
        decoder.suspend();
      },
      { side: 'server' },
    );
    return { packets, decoder };
  };
  const one = make();
  const two = make();
  const ping = encode({ type: PacketType.Pingreq }, 4);
  const disconnect = encode({ type: PacketType.Disconnect }, 4);
  one.decoder.feed(ping);
  two.decoder.feed(ping);
  one.decoder.feed(disconnect);
  two.decoder.feed(ping);
  assert.equal(one.packets.length + two.packets.length, 2);
  one.decoder.resume();
  two.decoder.resume();
  assert.deepEqual(
    one.packets.map((p) => p.type),
    [PacketType.Pingreq, PacketType.Disconnect],
  );
  assert.deepEqual(
    two.packets.map((p) => p.type),
    [PacketType.Pingreq, PacketType.Pingreq],
  );
});

test('decoder: dead after a ProtocolError', () => {
  const { packets, decoder } = collect(4);
  protocolErrorOf(() => decoder.feed(Buffer.from('c0 01 00'.replace(/ /g, ''), 'hex')));
  decoder.feed(encode({ type: PacketType.Pingreq }, 4));
  assert.equal(packets.length, 0);
});

test('decoder: a 3.1 CONNECT switches the decoder to 3.1', () => {
  const { packets, decoder } = collect();
  const connect: Packet = { ...connect5, protocolName: 'MQIsdp', protocolVersion: 3 };
  delete connect.properties;
  decoder.feed(encode(connect, 3));
  assert.equal(decoder.version, 3);
  assert.deepEqual(packets, [connect]);
  // 3.1 allowed DUP on PUBREL retries; Mosquitto accepts it from 3.1 clients.
  decoder.feed(Buffer.from('6a020001', 'hex'));
  assert.deepEqual(packets[1], { type: PacketType.Pubrel, packetId: 1 });
});

/** [MQTT-3.1.2-2] the broker must answer CONNACK 0x01 (3.x) or 0x84 (5.0). */
for (const [name, level, expected] of [
  ['MQTT', 3, 4],
  ['MQTT', 6, 4],
  ['MQIsdp', 4, 4],
  ['MQIsdp', 5, 5],
  ['MQTT', 0x86, 4],
] as const) {
  test(`[MQTT-3.1.2-2] CONNECT '${name}' level ${level}: unsupported version`, () => {
    const { decoder } = collect();
    const nameHex = Buffer.byteLength(name).toString(16).padStart(4, '0') + str(name);
    const body = `${nameHex}${level.toString(16).padStart(2, '0')}02003c00026331`;
    const bytes = Buffer.from(
      `10${(body.length / 2).toString(16).padStart(2, '0')}${body}`,
      'hex',
    );
    const err = protocolErrorOf(() => decoder.feed(bytes));
    assert.equal(err.code, 'UNSUPPORTED_PROTOCOL_VERSION');
    assert.equal(err.reasonCode, ReasonCode.UnsupportedProtocolVersion);
    assert.equal(decoder.version, expected, 'the version to answer in');
  });
}

test('[MQTT-3.1.2-1] CONNECT with an unknown protocol name', () => {
  const { decoder } = collect();
  const bytes = Buffer.from(`100d0003${str('FOO')}0402003c00026331`, 'hex');
  const err = protocolErrorOf(() => decoder.feed(bytes));
  assert.equal(err.code, 'UNSUPPORTED_PROTOCOL_NAME');
  assert.equal(err.reasonCode, ReasonCode.UnsupportedProtocolVersion);
});

test('maxPacketSize: refused from the fixed header, before the body arrives', () => {
  const { decoder } = collect(4);
  decoder.maxPacketSize = 1024;
  // PUBLISH announcing 268435455 bytes: only the 5 header bytes are sent.
  const err = protocolErrorOf(() => decoder.feed(Buffer.from('30ffffff7f', 'hex')));
  assert.equal(err.code, 'PACKET_TOO_LARGE');
  assert.equal(err.reasonCode, ReasonCode.PacketTooLarge);
});

test('maxPacketSize: remaining length + 1, as Mosquitto measures it', () => {
  // Mosquitto 2.0.11 with max_packet_size 40 accepts a PUBLISH of 41 bytes
  // (remaining length 39) and refuses one of 42 (observed on loopback).
  const publish = (remaining: number) =>
    encode(
      {
        type: PacketType.Publish,
        dup: false,
        qos: 0,
        retain: false,
        topic: 't',
        payload: Buffer.alloc(remaining - 3),
      },
      4,
    );
  const atLimit = collect(4);
  atLimit.decoder.maxPacketSize = 40;
  atLimit.decoder.feed(publish(39));
  assert.equal(atLimit.packets.length, 1);
  const over = collect(4);
  over.decoder.maxPacketSize = 40;
  assert.equal(
    protocolErrorOf(() => over.decoder.feed(publish(40))).code,
    'PACKET_TOO_LARGE',
  );
});

test('decoder: a large packet in many chunks is assembled once', () => {
  const big: Packet = {
    type: PacketType.Publish,
    dup: false,
    qos: 0,
    retain: false,
    topic: 'big',
    payload: Buffer.alloc(1_000_000, 1),
  };
  const bytes = encode(big, 4);
  const { packets, decoder } = collect(4);
  for (let i = 0; i < bytes.length; i += 1000) decoder.feed(bytes.subarray(i, i + 1000));
  assert.deepEqual(packets, [big]);
});

/** Two 5000-byte PUBLISH packets with small packets around them. */
function bigStream(): { packets: Packet[]; bytes: Buffer; sizes: number[] } {
  const pub = (topic: string, fill: number, size: number): Packet => ({
    type: PacketType.Publish,
    dup: false,
    qos: 1,
    retain: false,
    topic,
    packetId: fill,
    payload: Buffer.alloc(size, fill),
  });
  const packets: Packet[] = [
    pub('a', 1, 5000),
    { type: PacketType.Pingreq },
    pub('b/c', 2, 5000),
    pub('d', 3, 10),
  ];
  const encoded = packets.map((p) => encode(p, 4));
  return {
    packets,
    bytes: Buffer.concat(encoded),
    sizes: encoded.map((b) => b.length),
  };
}

function payloadOf(p: Packet | undefined): Buffer {
  assert.equal(p?.type, PacketType.Publish);
  return (p as Extract<Packet, { type: PacketType.Publish }>).payload;
}

test('decoder: a packet split across chunks in every place decodes the same', () => {
  const { packets: sent, bytes, sizes } = bigStream();
  for (let cut = 1; cut < bytes.length; cut++) {
    const { packets, decoder } = collect(4);
    decoder.feed(bytes.subarray(0, cut));
    decoder.feed(bytes.subarray(cut));
    assert.deepEqual(packets, sent, `split at ${cut}`);
    // A large packet cut in two lives in one buffer of exactly its size.
    if (cut > 0 && cut < sizes[0]!) {
      assert.equal(payloadOf(packets[0]).buffer.byteLength, sizes[0], `at ${cut}`);
    }
  }
});

test('decoder: every split into many chunks decodes the same', () => {
  const { packets: sent, bytes } = bigStream();
  // Chunk sizes from 1 to 13 bytes, and larger ones cutting headers at
  // every offset: every byte boundary is a cut in some run.
  for (let step = 1; step <= 13; step++) {
    for (let first = 0; first < step; first++) {
      const { packets, decoder } = collect(4);
      decoder.feed(bytes.subarray(0, first));
      for (let i = first; i < bytes.length; i += step) {
        decoder.feed(bytes.subarray(i, i + step));
      }
      assert.deepEqual(packets, sent, `chunks of ${step} after ${first}`);
    }
  }
  for (const step of [997, 4096, 5003, 6000]) {
    const { packets, decoder } = collect(4);
    for (let i = 0; i < bytes.length; i += step) {
      decoder.feed(bytes.subarray(i, i + step));
    }
    assert.deepEqual(packets, sent, `chunks of ${step}`);
  }
});

test('decoder: suspended from outside mid-packet, every split resumes the same', () => {
  const { packets: sent, bytes } = bigStream();
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const { packets, decoder } = collect(4);
    decoder.feed(bytes.subarray(0, cut));
    decoder.suspend();
    const before = packets.length;
    decoder.feed(bytes.subarray(cut, cut + 3000));
    decoder.feed(bytes.subarray(cut + 3000));
    assert.equal(packets.length, before, 'nothing decoded while suspended');
    decoder.resume();
    assert.deepEqual(packets, sent, `suspended at ${cut}`);
  }
});

test('decoder: packets after an assembled one stay views into their chunk', () => {
  const { bytes, sizes } = bigStream();
  const cut = 100;
  const last = bytes.subarray(cut);
  const { packets, decoder } = collect(4);
  decoder.feed(bytes.subarray(0, cut));
  decoder.feed(last);
  assert.equal(packets.length, 4);
  assert.equal(payloadOf(packets[0]).buffer.byteLength, sizes[0]);
  assert.equal(payloadOf(packets[2]).buffer, last.buffer, 'not copied');
  assert.equal(payloadOf(packets[3]).buffer, last.buffer, 'not copied');
});

test('decoder: maximum remaining length 268435455 parses in 4 bytes', () => {
  const { packets, decoder } = collect(4);
  decoder.maxPacketSize = 0;
  // Header only: decoder waits for the body without throwing.
  decoder.feed(Buffer.from('30ffffff7f', 'hex'));
  assert.equal(packets.length, 0);
});

test('3.15.2.1 an empty AUTH or DISCONNECT body means Success', () => {
  const packets: Packet[] = [];
  const decoder = new PacketDecoder((p) => packets.push(p), {
    side: 'server',
    version: 5,
  });
  decoder.feed(Buffer.from('f000e000', 'hex'));
  assert.deepEqual(packets, [
    { type: PacketType.Auth, reasonCode: ReasonCode.Success },
    { type: PacketType.Disconnect, reasonCode: ReasonCode.Success },
  ]);
});

for (const version of [4, 5] as const) {
  test(`[MQTT-3.3.1-2] QoS 0 with DUP: accepted from v${version} as Mosquitto does`, () => {
    const packets: Packet[] = [];
    const decoder = new PacketDecoder((p) => packets.push(p), {
      side: 'server',
      version,
    });
    const body = version === 5 ? '380400016100' : '3803000161';
    decoder.feed(Buffer.from(body, 'hex'));
    assert.deepEqual(packets, [
      {
        type: PacketType.Publish,
        dup: true,
        qos: 0,
        retain: false,
        topic: 'a',
        payload: Buffer.alloc(0),
      },
    ]);
  });
}

test('a 5.0 CONNECT refused after its level byte leaves version 5 set', () => {
  const { decoder } = collect();
  // CONNECT 5.0 whose properties hold a PUBLISH-only Topic Alias.
  const bytes = Buffer.from(`1012${'00044d515454'}0502003c03230001${'00026331'}`, 'hex');
  assert.equal(protocolErrorOf(() => decoder.feed(bytes)).code, 'INVALID_PROPERTY');
  assert.equal(decoder.version, 5);
});

test('a 5.0 client reads the 2-byte CONNACK of a 3.1.1-only server', () => {
  const packets: Packet[] = [];
  const decoder = new PacketDecoder((p) => packets.push(p), {
    side: 'client',
    version: 5,
  });
  decoder.feed(Buffer.from('20020001', 'hex'));
  assert.deepEqual(packets, [
    { type: PacketType.Connack, sessionPresent: false, reasonCode: 1 },
  ]);
});

test('onPacket is called with the receiver as this; decoders share no state', () => {
  class Sink {
    readonly got: Packet[] = [];
    take(this: Sink, packet: Packet): void {
      this.got.push(packet);
    }
  }
  const a = new Sink();
  const b = new Sink();
  const da = new PacketDecoder(Sink.prototype.take, { side: 'server', receiver: a });
  const db = new PacketDecoder(Sink.prototype.take, { side: 'server', receiver: b });
  // Interleaved: a PINGREQ split across chunks on one, whole packets on the other.
  da.feed(Buffer.from('c0', 'hex'));
  db.feed(Buffer.from('c000e000', 'hex'));
  da.feed(Buffer.from('00', 'hex'));
  assert.deepEqual(a.got, [{ type: PacketType.Pingreq }]);
  assert.deepEqual(b.got, [
    { type: PacketType.Pingreq },
    { type: PacketType.Disconnect },
  ]);
});
