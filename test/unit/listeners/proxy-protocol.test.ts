/**
 * PROXY protocol parsing, versions 1 and 2, against headers built here
 * byte by byte from HAProxy's specification.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ProxyParse,
  parseProxyV1,
  parseProxyV2,
  V2_SIGNATURE,
} from '../../../src/listeners/proxy-protocol.js';

function ok(result: ProxyParse) {
  assert.equal(result.kind, 'ok', JSON.stringify(result));
  return (result as Extract<ProxyParse, { kind: 'ok' }>).header;
}

describe('PROXY v1', () => {
  test('TCP4 gives the source address and port, and the header length', () => {
    const line = 'PROXY TCP4 192.0.2.5 198.51.100.1 6275 1883\r\n';
    const h = ok(parseProxyV1(Buffer.from(`${line}\x10\x0c`)));
    assert.deepEqual(
      [h.address, h.port, h.length, h.tls],
      ['192.0.2.5', 6275, line.length, false],
    );
  });

  test('TCP6', () => {
    const h = ok(parseProxyV1(Buffer.from('PROXY TCP6 2001:db8::1 ::1 40000 8883\r\n')));
    assert.deepEqual([h.address, h.port], ['2001:db8::1', 40000]);
  });

  test('UNKNOWN keeps the socket address', () => {
    const h = ok(parseProxyV1(Buffer.from('PROXY UNKNOWN whatever\r\n')));
    assert.equal(h.address, undefined);
    assert.equal(h.length, 24);
  });

  test('a partial line asks for more, a wrong start fails at once', () => {
    assert.equal(parseProxyV1(Buffer.from('PROX')).kind, 'more');
    assert.equal(parseProxyV1(Buffer.from('PROXY TCP4 1.2.3.4 ')).kind, 'more');
    assert.equal(parseProxyV1(Buffer.from([0x10, 0x0c, 0x00])).kind, 'bad');
  });

  for (const [name, line] of [
    ['family and address disagree', 'PROXY TCP4 2001:db8::1 1.2.3.4 1 2\r\n'],
    ['a bad address', 'PROXY TCP4 1.2.3.400 1.2.3.4 1 2\r\n'],
    ['port 0', 'PROXY TCP4 1.2.3.4 1.2.3.4 0 2\r\n'],
    ['port 65536', 'PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n'],
    ['a missing field', 'PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n'],
    ['an extra field', 'PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n'],
    ['an unknown protocol', 'PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n'],
    ['two spaces', 'PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n'],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.equal(parseProxyV1(Buffer.from(line)).kind, 'bad');
    });
  }

  test('refuses a line longer than 107 bytes, with or without its end', () => {
    const long = `PROXY UNKNOWN ${'x'.repeat(100)}`;
    assert.equal(parseProxyV1(Buffer.from(long)).kind, 'bad');
    assert.equal(parseProxyV1(Buffer.from(`${long}\r\n`)).kind, 'bad');
  });
});

/** A v2 header: command, family, address block and TLVs. */
function v2(command: number, family: number, body: Buffer): Buffer {
  const fixed = Buffer.alloc(4);
  fixed[0] = 0x20 | command;
  fixed[1] = family;
  fixed.writeUInt16BE(body.length, 2);
  return Buffer.concat([V2_SIGNATURE, fixed, body]);
}

function tlv(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(3);
  head[0] = type;
  head.writeUInt16BE(value.length, 1);
  return Buffer.concat([head, value]);
}

const ipv4Block = Buffer.from([192, 0, 2, 5, 127, 0, 0, 1, 0x18, 0x83, 0x07, 0x5b]);

/** The SSL TLV: client bits, verify result, then sub-TLVs. */
function ssl(client: number, verify: number, subs: Buffer[] = []): Buffer {
  const head = Buffer.alloc(5);
  head[0] = client;
  head.writeUInt32BE(verify, 1);
  return tlv(0x20, Buffer.concat([head, ...subs]));
}

describe('PROXY v2', () => {
  test('TCP over IPv4', () => {
    const header = v2(1, 0x11, ipv4Block);
    const h = ok(parseProxyV2(Buffer.concat([header, Buffer.from([0x10])])));
    assert.deepEqual(
      [h.address, h.port, h.length, h.tls],
      ['192.0.2.5', 0x1883, 28, false],
    );
  });

  test('TCP over IPv6, written as inet_ntop writes it', () => {
    const block = Buffer.alloc(36);
    Buffer.from([0x20, 0x01, 0x0d, 0xb8]).copy(block, 0);
    block[15] = 1;
    block.writeUInt16BE(50000, 32);
    const h = ok(parseProxyV2(v2(1, 0x21, block)));
    assert.deepEqual([h.address, h.port], ['2001:db8::1', 50000]);
  });

  test('a Unix socket source', () => {
    const block = Buffer.alloc(216);
    block.write('/run/client.sock');
    const h = ok(parseProxyV2(v2(1, 0x31, block)));
    assert.deepEqual([h.address, h.port], ['/run/client.sock', 0]);
  });

  test('LOCAL (a health check) keeps the socket address', () => {
    const h = ok(parseProxyV2(v2(0, 0x00, Buffer.alloc(0))));
    assert.equal(h.address, undefined);
    assert.equal(h.length, 16);
  });

  test('the SSL TLV: TLS, a verified certificate, its CN, version and cipher', () => {
    const subs = [
      tlv(0x21, Buffer.from('TLSv1.3')),
      tlv(0x22, Buffer.from('client-good')),
      tlv(0x23, Buffer.from('TLS_AES_256_GCM_SHA384')),
    ];
    const body = Buffer.concat([
      ipv4Block,
      tlv(0x04, Buffer.alloc(3)),
      ssl(0x07, 0, subs),
    ]);
    const h = ok(parseProxyV2(v2(1, 0x11, body)));
    assert.equal(h.tls, true);
    assert.equal(h.certificate, true);
    assert.deepEqual(
      [h.commonName, h.tlsVersion, h.cipher],
      ['client-good', 'TLSv1.3', 'TLS_AES_256_GCM_SHA384'],
    );
  });

  test('a certificate that failed verification, or none, is not a certificate', () => {
    const failed = ok(
      parseProxyV2(v2(1, 0x11, Buffer.concat([ipv4Block, ssl(0x05, 1)]))),
    );
    assert.deepEqual([failed.tls, failed.certificate], [true, false]);
    const none = ok(parseProxyV2(v2(1, 0x11, Buffer.concat([ipv4Block, ssl(0x01, 0)]))));
    assert.deepEqual([none.tls, none.certificate], [true, false]);
  });

  test('waits for the whole header', () => {
    const header = v2(1, 0x11, ipv4Block);
    for (let n = 0; n < header.length; n++) {
      assert.equal(parseProxyV2(header.subarray(0, n)).kind, 'more', `at ${n} bytes`);
    }
  });

  for (const [name, bytes] of [
    ['a wrong signature', Buffer.from('PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r\n')],
    [
      'version 1 in a v2 header',
      Buffer.concat([V2_SIGNATURE, Buffer.from([0x11, 0x11, 0, 0])]),
    ],
    ['command 2', v2(2, 0x11, ipv4Block)],
    ['UDP', v2(1, 0x12, ipv4Block)],
    ['a short IPv4 block', v2(1, 0x11, ipv4Block.subarray(0, 8))],
    [
      'a TLV longer than the header',
      v2(1, 0x11, Buffer.concat([ipv4Block, Buffer.from([4, 0, 9, 1])])),
    ],
    ['a truncated TLV', v2(1, 0x11, Buffer.concat([ipv4Block, Buffer.from([4, 0])]))],
    [
      'a short SSL TLV',
      v2(1, 0x11, Buffer.concat([ipv4Block, tlv(0x20, Buffer.alloc(3))])),
    ],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.equal(parseProxyV2(bytes).kind, 'bad');
    });
  }
});
