/**
 * Log lines for a refused CONNECT, in the words Debian's Mosquitto 2.0.11
 * writes for the same bytes (checked by hand against `mosquitto -v`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { captureLogger, open, startBroker } from './helpers.js';

const header = (level: number, flags: number) =>
  Buffer.from([0x10, 12, 0, 4, ...Buffer.from('MQTT'), level, flags, 0, 60, 0, 0]);

const cases: Array<{ name: string; bytes: Buffer; lines: string[] }> = [
  {
    name: 'an unknown protocol level',
    bytes: header(6, 2),
    lines: [
      'Invalid protocol version 6 in CONNECT from 127.0.0.1.',
      'Sending CONNACK to 127.0.0.1 (0, 1)',
      'Client <unknown> disconnected due to protocol error.',
    ],
  },
  {
    name: 'an unknown protocol name',
    bytes: Buffer.from([0x10, 12, 0, 4, ...Buffer.from('MQTX'), 4, 2, 0, 60, 0, 0]),
    lines: [
      'Invalid protocol "MQTX" in CONNECT from 127.0.0.1.',
      'Client <unknown> disconnected due to protocol error.',
    ],
  },
  {
    name: 'will QoS 3',
    bytes: header(4, 0x1e),
    lines: [
      'Invalid Will QoS in CONNECT from 127.0.0.1.',
      'Client <unknown> disconnected due to protocol error.',
    ],
  },
  {
    name: 'the reserved flag set',
    bytes: header(4, 3),
    lines: ['Client <unknown> disconnected due to protocol error.'],
  },
  {
    name: 'an empty client id without clean session',
    bytes: header(4, 0),
    lines: [
      'Sending CONNACK to 127.0.0.1 (0, 2)',
      'Client <unknown> disconnected due to protocol error.',
    ],
  },
  {
    name: 'an unknown 5.0 property',
    bytes: Buffer.from([
      0x10,
      15,
      0,
      4,
      ...Buffer.from('MQTT'),
      5,
      2,
      0,
      60,
      2,
      0x7f,
      0,
      0,
      0,
    ]),
    lines: ['Client <unknown> disconnected due to malformed packet.'],
  },
];

for (const c of cases) {
  test(`a CONNECT with ${c.name} is logged as Mosquitto logs it`, async () => {
    const log = captureLogger();
    const client = open(startBroker({}, log));
    client.sendRaw(c.bytes);
    await client.waitClosed();
    const lines = log.lines.filter((line) => !line.startsWith('New connection'));
    assert.deepEqual(lines, c.lines);
  });
}

test('a client refused as not authorised is logged by address and <unknown>', async () => {
  // Mosquitto names neither the given client id nor an assigned one here.
  const log = captureLogger();
  const client = open(startBroker({ allowAnonymous: false }, log));
  const id = Buffer.from('myid');
  client.sendRaw(
    Buffer.from([0x10, 16, 0, 4, ...Buffer.from('MQTT'), 4, 2, 0, 60, 0, 4, ...id]),
  );
  await client.waitClosed();
  const lines = log.lines.filter((line) => !line.startsWith('New connection'));
  assert.deepEqual(lines, [
    'Sending CONNACK to 127.0.0.1 (0, 5)',
    'Client <unknown> disconnected, not authorised.',
  ]);
});
