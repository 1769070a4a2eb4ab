/**
 * Property-based tests: round trips of arbitrary valid packets, and random
 * or mutated bytes that must only ever yield packets or ProtocolErrors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  encode,
  type Packet,
  PacketDecoder,
  PacketType,
  ProtocolError,
  type ProtocolVersion,
} from '../../../src/protocol/index.js';
import { packetArb } from './arbitraries.js';
import { decodeOne, receiverOf } from './helpers.js';

const versions: ProtocolVersion[] = [3, 4, 5];

for (const v of versions) {
  test(`round trip: decode(encode(p)) equals p, version ${v}`, () => {
    fc.assert(
      fc.property(packetArb(v), (packet) => {
        const bytes = encode(packet, v);
        assert.deepEqual(decodeOne(bytes, receiverOf(packet), v), packet);
      }),
      { numRuns: 2000 },
    );
  });

  test(`round trip: a stream of packets in random chunks, version ${v}`, () => {
    const nonConnect = packetArb(v).filter((p) => p.type !== PacketType.Connect);
    const serverBound = nonConnect.filter((p) => receiverOf(p) === 'server');
    const cuts = fc.array(fc.nat(), { maxLength: 8 });
    fc.assert(
      fc.property(fc.array(serverBound, { maxLength: 8 }), cuts, (packets, cutList) => {
        const bytes = Buffer.concat(packets.map((p) => encode(p, v)));
        const out: Packet[] = [];
        const decoder = new PacketDecoder((p) => out.push(p), {
          side: 'server',
          version: v,
        });
        const points = cutList.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
        let last = 0;
        for (const point of [...points, bytes.length]) {
          decoder.feed(bytes.subarray(last, point));
          last = point;
        }
        assert.deepEqual(out, packets);
      }),
      { numRuns: 500 },
    );
  });
}

/** Feeds bytes; anything thrown must be a ProtocolError. */
function feedSafely(
  bytes: Uint8Array,
  side: 'server' | 'client',
  v: ProtocolVersion,
  max = 0,
) {
  const decoder = new PacketDecoder(() => {}, { side, version: v, maxPacketSize: max });
  try {
    decoder.feed(Buffer.from(bytes));
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    assert.equal(typeof err.code, 'string');
  }
}

test('random bytes: only packets or ProtocolError, both sides, all versions', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom('server' as const, 'client' as const),
      fc.constantFrom(...versions),
      (bytes, side, v) => feedSafely(bytes, side, v),
    ),
    { numRuns: 20000 },
  );
});

test('random bytes in random chunks: only packets or ProtocolError', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 10 }),
      fc.constantFrom(...versions),
      (chunks, v) => {
        const decoder = new PacketDecoder(() => {}, { side: 'server', version: v });
        try {
          for (const chunk of chunks) decoder.feed(Buffer.from(chunk));
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      },
    ),
    { numRuns: 10000 },
  );
});

test('mutated valid packets: only packets or ProtocolError', () => {
  const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
    minLength: 1,
    maxLength: 4,
  });
  for (const v of versions) {
    fc.assert(
      fc.property(packetArb(v), mutation, (packet, changes) => {
        const bytes = Buffer.from(encode(packet, v));
        for (const [at, value] of changes) bytes[at % bytes.length] = value;
        feedSafely(bytes, receiverOf(packet), v);
        feedSafely(bytes.subarray(0, bytes.length - 1), receiverOf(packet), v);
      }),
      { numRuns: 5000 },
    );
  }
});

test('a declared length over maxPacketSize is refused from the header alone', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 268_435_455 }),
      fc.integer({ min: 1, max: 100_000 }),
      (declared, max) => {
        fc.pre(declared + 1 > max);
        const header = [0x30];
        let n = declared;
        do {
          header.push((n % 128) | (n >= 128 ? 0x80 : 0));
          n = Math.floor(n / 128);
        } while (n > 0);
        const total = header.length + declared;
        const decoder = new PacketDecoder(() => {}, {
          side: 'server',
          maxPacketSize: max,
        });
        if (total <= max) return;
        assert.throws(
          () => decoder.feed(Buffer.from(header)),
          (err: unknown) =>
            err instanceof ProtocolError && err.code === 'PACKET_TOO_LARGE',
        );
      },
    ),
    { numRuns: 2000 },
  );
});
