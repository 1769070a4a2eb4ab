/**
 * malformed: bad byte sequences after a good CONNECT, and bad CONNECTs.
 * Each must end the connection — in 5.0 with a DISCONNECT (or CONNACK)
 * carrying the reason code Mosquitto uses — and leave the broker serving
 * other clients. Bytes are annotated field by field.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import {
  expectErrorClose,
  fileBroker,
  hexCode,
  unique,
  useMosquitto,
} from '../helpers/conformance.js';
import { RawClient, type Version } from '../helpers/raw-client.js';
import { RC } from '../helpers/reason-codes.js';

const broker = fileBroker();

interface Row {
  id: string;
  what: string;
  /** Sent by a 5.0 client, and by a 3.1.1 client unless `v5only`. */
  bytes: string;
  /** What a 3.1.1 client sends instead, where 5.0 adds a property length. */
  v4bytes?: string;
  /**
   * Reason code of the 5.0 DISCONNECT: Mosquitto's first, then any code
   * the spec's own words name for the case (e.g. "is a Protocol Error").
   */
  code: number | number[];
  /** Mosquitto closes without a DISCONNECT: the code is checked if sent. */
  silent?: boolean;
  v5only?: boolean;
  skip?: string;
}

const rows: Row[] = [
  {
    id: '[MQTT-3.3.1-4]',
    what: 'PUBLISH with both QoS bits set',
    bytes: '36 07  00 01 61  00 01  00  78', // qos 3 | "a" | id 1 | props | "x"
    code: RC.MalformedPacket,
  },
  {
    id: '[MQTT-3.3.2-2]',
    what: 'PUBLISH topic with a wildcard',
    bytes: '30 05  00 01 23  00  78', // "#" | props | "x"
    code: [RC.ProtocolError, RC.TopicNameInvalid],
  },
  {
    id: '[MQTT-1.5.4-2]',
    what: 'PUBLISH topic with U+0000',
    bytes: '30 07  00 03 61 00 62  00  78',
    code: RC.MalformedPacket,
  },
  {
    id: '[MQTT-1.5.4-1]',
    what: 'PUBLISH topic that is not UTF-8',
    bytes: '30 06  00 02 c3 28  00  78',
    code: RC.MalformedPacket,
  },
  {
    id: '[MQTT-2.2.1-3]',
    what: 'QoS 1 PUBLISH with packet id 0',
    bytes: '32 06  00 01 61  00 00  00',
    code: RC.ProtocolError,
  },
  {
    id: 'MQTT 5.0 1.5.5',
    what: 'remaining length of five bytes',
    bytes: '30 ff ff ff ff 01',
    code: RC.MalformedPacket,
    silent: true,
  },
  {
    id: 'MQTT 5.0 1.5.4',
    what: 'string length past the end of the packet',
    bytes: '30 04  00 09 61  00',
    code: RC.MalformedPacket,
  },
  {
    id: '[MQTT-2.2.2-2]',
    what: 'packet type 0 (reserved)',
    bytes: '00 00',
    code: [RC.ProtocolError, RC.MalformedPacket],
  },
  {
    id: '[MQTT-2.2.2-2]',
    what: 'SUBSCRIBE with fixed header flags 0',
    bytes: '80 07  00 01  00  00 01 61  00', // id 1 | props | "a" | options
    v4bytes: '80 06  00 01  00 01 61  00',
    code: RC.MalformedPacket,
  },
  {
    id: '[MQTT-2.2.2-2]',
    what: 'PUBREL with fixed header flags 0',
    bytes: '60 02  00 01',
    code: RC.MalformedPacket,
    silent: true,
  },
  {
    id: '[MQTT-2.2.2-2]',
    what: 'PUBACK with fixed header flags 1',
    bytes: '41 02  00 01',
    code: RC.MalformedPacket,
    skip: 'mosquitto 2.0.11 ignores the flags of PUBACK',
  },
  {
    id: '[MQTT-3.8.3-2]',
    what: 'SUBSCRIBE without a topic filter',
    bytes: '82 03  00 01  00',
    v4bytes: '82 02  00 01',
    // 5.0 3.8.3: "A SUBSCRIBE packet with no Payload is a Protocol Error".
    code: [RC.MalformedPacket, RC.ProtocolError],
  },
  {
    id: '[MQTT-3.10.3-2]',
    what: 'UNSUBSCRIBE without a topic filter',
    bytes: 'a2 03  00 01  00',
    v4bytes: 'a2 02  00 01',
    code: [RC.MalformedPacket, RC.ProtocolError], // 5.0 3.10.3: likewise
  },
  {
    id: '[MQTT-2.2.1-3]',
    what: 'SUBSCRIBE with packet id 0',
    bytes: '82 07  00 00  00  00 01 61  00',
    v4bytes: '82 06  00 00  00 01 61  00',
    code: [RC.MalformedPacket, RC.ProtocolError],
  },
  {
    id: '[MQTT-3.8.3-5]',
    what: 'SUBSCRIBE options with reserved bits set',
    bytes: '82 07  00 01  00  00 01 61  c0',
    code: RC.MalformedPacket,
    v5only: true,
  },
  {
    id: '[MQTT-3.8.3-5]',
    what: 'SUBSCRIBE with Retain Handling 3',
    bytes: '82 07  00 01  00  00 01 61  30',
    code: RC.MalformedPacket,
    v5only: true,
  },
  {
    id: 'MQTT 5.0 2.2.2.2',
    what: 'PUBLISH property 0x7f (unknown)',
    bytes: '30 07  00 01 61  02 7f 00  78',
    code: RC.MalformedPacket,
    v5only: true,
  },
  {
    id: 'MQTT 5.0 2.2.2.2',
    what: 'property length past the end',
    bytes: '30 05  00 01 61  09 01',
    code: RC.MalformedPacket,
    v5only: true,
  },
  {
    id: 'MQTT 5.0 2.2.2.2',
    what: 'Payload Format Indicator twice',
    bytes: '30 08  00 01 61  04 01 01 01 01',
    code: RC.ProtocolError,
    silent: true,
    v5only: true,
  },
  {
    id: '[MQTT-1.5.4-1]',
    what: 'Content Type that is not UTF-8',
    bytes: '30 08  00 01 61  04 03 00 01 ff',
    code: RC.MalformedPacket,
    silent: true,
    v5only: true,
  },
  {
    id: '[MQTT-3.14.2-1]',
    what: 'DISCONNECT with an unknown reason code',
    bytes: 'e0 02  07  00',
    code: RC.MalformedPacket,
    silent: true,
    v5only: true,
  },
  {
    id: '[MQTT-4.12.0-6]',
    what: 'AUTH with no authentication in progress',
    bytes: 'f0 00',
    code: RC.ProtocolError,
    silent: true,
  },
];

/** A fresh client can still connect and get a PINGRESP. */
async function brokerStillServes(t: TestContext) {
  const c = await RawClient.session(t, broker.port, { clientId: unique('after') });
  c.send({ cmd: 'pingreq' });
  await c.expect('pingresp');
  c.close();
}

for (const row of rows) {
  const versions: Version[] = row.v5only ? [5] : [4, 5];
  const skip = useMosquitto && row.skip;
  const codes = [row.code].flat().map(hexCode).join(' or ');
  test(`${row.id} ${row.what}: closed, 5.0 gets ${codes}`, { skip }, async (t) => {
    for (const version of versions) {
      const c = await RawClient.session(t, broker.port, {
        clientId: unique('bad'),
        protocolVersion: version,
      });
      c.sendHex(version === 4 ? (row.v4bytes ?? row.bytes) : row.bytes);
      await expectErrorClose(c, row.code, { optional: row.silent }).catch((e: Error) => {
        assert.fail(`v${version}: ${e.message}`);
      });
    }
    await brokerStillServes(t);
  });
}

/** CONNECT packets whose content is wrong, with Mosquitto's answer. */
const badConnects = [
  {
    id: 'MQTT 5.0 3.1.2.11.3',
    what: 'Receive Maximum 0',
    // MQTT 5 | flags 02 | keep alive 0 | props 3: 21 00 00 | id "c"
    bytes: '10 10  00 04 4d 51 54 54  05  02  00 00  03 21 00 00  00 01 63',
    code: RC.ProtocolError,
  },
  {
    id: 'MQTT 5.0 3.1.2.11.4',
    what: 'Maximum Packet Size 0',
    bytes: '10 12  00 04 4d 51 54 54  05  02  00 00  05 27 00 00 00 00  00 01 63',
    code: RC.ProtocolError,
  },
  {
    id: '[MQTT-1.5.4-1]',
    what: 'client id that is not UTF-8',
    bytes: '10 0f  00 04 4d 51 54 54  05  02  00 00  00  00 02 c3 28',
    code: RC.MalformedPacket,
  },
  {
    id: 'MQTT 5.0 1.5.5',
    what: 'remaining length shorter than the CONNECT',
    bytes: '10 08  00 04 4d 51 54 54  05  02  00 00  00  00 01 63',
    code: RC.MalformedPacket,
  },
];

for (const row of badConnects) {
  test(`${row.id} CONNECT with ${row.what} is refused`, async (t) => {
    const c = await RawClient.connect(t, broker.port, { version: 5 });
    c.sendHex(row.bytes);
    // A CONNACK with the reason code MAY come first [MQTT-4.13.1-1].
    const packet = await c.next().catch(() => undefined);
    if (packet) {
      assert.equal(packet.cmd, 'connack');
      if (packet.cmd === 'connack') {
        assert.equal(hexCode(packet.reasonCode), hexCode(row.code));
      }
    }
    await c.expectClosed();
    await brokerStillServes(t);
  });
}

for (const version of [4, 5] as Version[]) {
  test(`v${version} QoS 0 PUBLISH with DUP set is accepted, as Mosquitto does`, async (t) => {
    // [MQTT-3.3.1-2] binds the sender; Mosquitto delivers such a message.
    const topic = unique('dup0');
    const sub = await RawClient.session(t, broker.port, { clientId: unique('sub') });
    await sub.subscribe(topic, 0);
    const c = await RawClient.session(t, broker.port, {
      clientId: unique('dup'),
      protocolVersion: version,
    });
    c.send({ cmd: 'publish', topic, payload: 'd', qos: 0, dup: true });
    const msg = await sub.expect('publish');
    assert.equal(msg.dup, false);
    await c.expectNothing(100);
  });
}

test('a connection that stops mid-packet does not disturb others', async (t) => {
  const other = await RawClient.session(t, broker.port, { clientId: unique('other') });
  const c = await RawClient.session(t, broker.port, { clientId: unique('half') });
  c.sendHex('30 40 00 01 61'); // promises 64 bytes, sends 3
  other.send({ cmd: 'pingreq' });
  await other.expect('pingresp');
  c.close();
  await brokerStillServes(t);
});
