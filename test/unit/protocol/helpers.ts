/**
 * Shared helpers for the codec tests: annotated hex, and a one-call decode.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encode,
  type Packet,
  PacketDecoder,
  PacketType,
  ProtocolError,
  type ProtocolVersion,
} from '../../../src/protocol/index.js';

/** Joins hex fragments written one field per line; spaces are ignored. */
export function hex(fields: string[]): Buffer {
  const text = fields.join('').replace(/\s+/g, '');
  assert.match(text, /^([0-9a-f]{2})*$/i, `bad hex: ${text}`);
  return Buffer.from(text, 'hex');
}

/** Hex of a string's UTF-8 bytes, for writing vectors. */
export function str(s: string): string {
  return Buffer.from(s, 'utf8').toString('hex');
}

export type Side = 'server' | 'client';

/** Who receives a packet of this type: the side whose decoder reads it. */
export function receiverOf(packet: Packet): Side {
  switch (packet.type) {
    case PacketType.Connect:
    case PacketType.Subscribe:
    case PacketType.Unsubscribe:
    case PacketType.Pingreq:
    case PacketType.Disconnect:
      return 'server';
    default:
      return 'client';
  }
}

/** Decodes a buffer fed as one chunk; returns every packet. */
export function decodeAll(buf: Buffer, side: Side, version: ProtocolVersion): Packet[] {
  const out: Packet[] = [];
  const decoder = new PacketDecoder((p) => out.push(p), { side, version });
  decoder.feed(buf);
  return out;
}

/** Decodes a buffer that must hold exactly one packet. */
export function decodeOne(buf: Buffer, side: Side, version: ProtocolVersion): Packet {
  const packets = decodeAll(buf, side, version);
  assert.equal(packets.length, 1, `expected one packet, got ${packets.length}`);
  return packets[0]!;
}

/** Runs `fn` and returns the ProtocolError it throws (fails otherwise). */
export function protocolErrorOf(fn: () => void): ProtocolError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `not a ProtocolError: ${String(err)}`);
    return err;
  }
  assert.fail('expected a ProtocolError, nothing was thrown');
}

/** A golden vector: bytes written one field per line, and the packet. */
export interface Vector {
  name: string;
  version: ProtocolVersion;
  bytes: string[];
  packet: Packet;
}

/** Checks each vector both ways: decode(bytes) and encode(packet). */
export function runVectors(list: Vector[]): void {
  for (const v of list) {
    test(`golden ${v.name}: decode`, () => {
      assert.deepEqual(
        decodeOne(hex(v.bytes), receiverOf(v.packet), v.version),
        v.packet,
      );
    });
    test(`golden ${v.name}: encode`, () => {
      assert.equal(
        encode(v.packet, v.version).toString('hex'),
        hex(v.bytes).toString('hex'),
      );
    });
  }
}
