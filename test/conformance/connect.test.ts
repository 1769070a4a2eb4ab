/**
 * connect: the CONNECT / CONNACK exchange of MQTT 3.1, 3.1.1 and 5.0 —
 * protocol name and level, flags, client identifiers, session present,
 * session take-over, keep alive and a second CONNECT.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startBroker } from '../helpers/broker.js';
import {
  expectErrorClose,
  fileBroker,
  hexCode,
  unique,
  useMosquitto,
} from '../helpers/conformance.js';
import { hex, RawClient } from '../helpers/raw-client.js';
import { ConnectReturn, RC } from '../helpers/reason-codes.js';

const broker = fileBroker();

/**
 * CONNECT packets that break a rule of the variable header, as bytes:
 * fixed header | protocol name | level | flags | keep alive | [props] | id.
 */
const refused: {
  id: string;
  what: string;
  bytes: string;
  /** The 3.1.1-form CONNACK return code Mosquitto sends, if any. */
  connack: number | undefined;
  /**
   * A 5.0 CONNACK with this reason code MAY come before the close
   * (MQTT 5.0 section 4.13.2); Mosquitto sends none.
   */
  v5connack?: number;
}[] = [
  {
    id: '[MQTT-3.1.2-2]',
    what: 'protocol level 6 with name MQTT',
    bytes: '10 0d  00 04 4d 51 54 54  06  02  00 00  00 01 63',
    connack: ConnectReturn.UnacceptableProtocolVersion,
  },
  {
    id: '[MQTT-3.1.2-2]',
    what: 'protocol level 3 with name MQTT (3.1 is MQIsdp)',
    bytes: '10 0d  00 04 4d 51 54 54  03  02  00 00  00 01 63',
    connack: ConnectReturn.UnacceptableProtocolVersion,
  },
  {
    id: '[MQTT-3.1.2-2]',
    what: 'protocol level 4 with name MQIsdp',
    bytes: '10 0f  00 06 4d 51 49 73 64 70  04  02  00 00  00 01 63',
    connack: ConnectReturn.UnacceptableProtocolVersion,
  },
  {
    id: '[MQTT-3.1.2-1]',
    what: 'protocol name MQTX',
    bytes: '10 0d  00 04 4d 51 54 58  04  02  00 00  00 01 63',
    connack: undefined,
  },
  {
    id: '[MQTT-3.1.2-1]',
    what: 'protocol name MQTX at level 5',
    bytes: '10 0e  00 04 4d 51 54 58  05  02  00 00  00  00 01 63',
    connack: undefined,
    v5connack: RC.UnsupportedProtocolVersion,
  },
  {
    id: '[MQTT-3.1.2-3]',
    what: 'reserved connect flag set (3.1.1)',
    bytes: '10 0d  00 04 4d 51 54 54  04  03  00 00  00 01 63',
    connack: undefined,
  },
  {
    id: '[MQTT-3.1.2-3]',
    what: 'reserved connect flag set (5.0)',
    bytes: '10 0e  00 04 4d 51 54 54  05  03  00 00  00  00 01 63',
    connack: undefined,
    v5connack: RC.MalformedPacket,
  },
  {
    id: '[MQTT-3.1.2-13]',
    what: 'will QoS 1 without the will flag',
    bytes: '10 0d  00 04 4d 51 54 54  04  0a  00 00  00 01 63',
    connack: undefined,
  },
  {
    id: '[MQTT-3.1.2-15]',
    what: 'will retain without the will flag',
    bytes: '10 0d  00 04 4d 51 54 54  04  22  00 00  00 01 63',
    connack: undefined,
  },
  {
    id: '[MQTT-3.1.2-14]',
    what: 'will QoS 3',
    bytes: '10 13  00 04 4d 51 54 54  04  1e  00 00  00 01 63  00 01 77  00 01 78',
    connack: undefined,
  },
  {
    id: '[MQTT-3.1.2-22]',
    what: 'password flag without user name flag (3.1.1)',
    bytes: '10 10  00 04 4d 51 54 54  04  42  00 00  00 01 63  00 01 78',
    connack: undefined,
  },
  {
    id: '[MQTT-3.1.0-1]',
    what: 'PINGREQ before CONNECT',
    bytes: 'c0 00',
    connack: undefined,
  },
  {
    id: '[MQTT-3.1.0-1]',
    what: 'PUBLISH before CONNECT',
    bytes: '30 05  00 01 61  78 79',
    connack: undefined,
  },
];

for (const row of refused) {
  const outcome =
    row.connack === undefined ? 'a close' : `CONNACK ${hexCode(row.connack)}`;
  test(`${row.id} ${row.what} gets ${outcome}`, async (t) => {
    const c = await RawClient.connect(t, broker.port);
    c.send(hex(row.bytes));
    if (row.connack !== undefined) {
      // A 3.1.1-form CONNACK: the broker cannot know the client speaks 5.0.
      const connack = await c.expect('connack');
      assert.equal(hexCode(connack.returnCode), hexCode(row.connack));
      assert.equal(connack.sessionPresent, false, '[MQTT-3.2.2-4]');
    } else if (row.v5connack !== undefined) {
      await optionalV5Connack(c, row.v5connack);
    }
    await c.expectClosed();
  });
}

/** Reads a 5.0-form CONNACK with `code` if one arrives before the close. */
async function optionalV5Connack(c: RawClient, code: number) {
  await c.next(500).catch(() => undefined);
  const bytes = c.receivedBytes();
  if (bytes.length === 0) return;
  // 20 | length | flags 00 | reason code | properties
  assert.equal(bytes[0], 0x20, `a CONNACK, got ${bytes.toString('hex')}`);
  assert.equal(hexCode(bytes[3]), hexCode(code), 'CONNACK reason code');
}

test('[MQTT-3.1.2-2] unsupported level 7 gets exactly 20 02 00 01', async (t) => {
  const c = await RawClient.connect(t, broker.port);
  c.sendHex('10 0d  00 04 4d 51 54 54  07  02  00 00  00 01 63');
  await c.expect('connack');
  await c.expectClosed();
  // A 3.1.1-form CONNACK, whichever version the client might speak.
  assert.deepEqual(c.receivedBytes(), hex('20 02 00 01'));
});

test('[MQTT-3.1.2-22] 5.0 allows a password without a user name', async (t) => {
  const c = await RawClient.connect(t, broker.port, { version: 5 });
  // flags 0x42: password + clean start; properties empty; id "c"; password "x"
  c.sendHex('10 11  00 04 4d 51 54 54  05  42  00 00  00  00 01 63  00 01 78');
  const connack = await c.expect('connack');
  assert.equal(hexCode(connack.reasonCode), hexCode(RC.Success));
});

test('MQTT 3.1: zero-length client id gets CONNACK 0x02 and a close', async (t) => {
  // MQTT 3.1 section 3.1: the client identifier is 1 to 23 characters.
  const c = await RawClient.connect(t, broker.port, { version: 3 });
  c.sendHex('10 0e  00 06 4d 51 49 73 64 70  03  02  00 00  00 00');
  const connack = await c.expect('connack');
  assert.equal(hexCode(connack.returnCode), hexCode(ConnectReturn.IdentifierRejected));
  await c.expectClosed();
});

test('MQTT 3.1: a client id accepted with protocol MQIsdp level 3', async (t) => {
  const c = await RawClient.session(t, broker.port, {
    protocolVersion: 3,
    clientId: unique('v31'),
  });
  assert.equal(c.connack?.returnCode, ConnectReturn.Accepted);
  c.send({ cmd: 'pingreq' });
  await c.expect('pingresp');
});

test('[MQTT-3.1.3-6] 3.1.1 zero-length client id with clean session is accepted', async (t) => {
  const c = await RawClient.session(t, broker.port, { clientId: '', clean: true });
  assert.equal(c.connack?.returnCode, ConnectReturn.Accepted);
  assert.equal(c.connack?.sessionPresent, false);
});

test('[MQTT-3.1.3-8] 3.1.1 zero-length client id without clean session gets 0x02', async (t) => {
  const c = await RawClient.connect(t, broker.port);
  c.sendHex('10 0c  00 04 4d 51 54 54  04  00  00 00  00 00');
  const connack = await c.expect('connack');
  assert.equal(hexCode(connack.returnCode), hexCode(ConnectReturn.IdentifierRejected));
  assert.equal(connack.sessionPresent, false, '[MQTT-3.2.2-4]');
  await c.expectClosed();
});

/** v5 CONNECT with an empty client id, clean start set or not, no properties. */
const emptyIdConnect = {
  clean: '10 0d  00 04 4d 51 54 54  05  02  00 00  00  00 00',
  resume: '10 0d  00 04 4d 51 54 54  05  00  00 00  00  00 00',
};

for (const [kind, bytes] of Object.entries(emptyIdConnect)) {
  test(`[MQTT-3.2.2-16] 5.0 zero-length id (${kind}) gets a unique auto- id`, async (t) => {
    const c = await RawClient.connect(t, broker.port, { version: 5 });
    c.sendHex(bytes);
    const connack = await c.expect('connack');
    assert.equal(hexCode(connack.reasonCode), hexCode(RC.Success));
    const id = connack.properties?.assignedClientIdentifier;
    assert.match(id ?? '', /^auto-.{8,}/, 'Assigned Client Identifier');
    const other = await RawClient.session(t, broker.port, { protocolVersion: 5 });
    assert.notEqual(other.connack?.properties?.assignedClientIdentifier, id, 'unique');
  });
}

test('5.0 a client that sends its own id gets no Assigned Client Identifier', async (t) => {
  const c = await RawClient.session(t, broker.port, {
    protocolVersion: 5,
    clientId: unique('own'),
  });
  assert.equal(c.connack?.properties?.assignedClientIdentifier, undefined);
});

test('[MQTT-3.1.3-8] allow_zero_length_clientid false refuses empty ids', async (t) => {
  const strict = await startBroker({
    config: 'allow_zero_length_clientid false\nauto_id_prefix test-',
  });
  t.after(() => strict.stop());
  const v4 = await RawClient.connect(t, strict.port);
  v4.send({ cmd: 'connect', clientId: '', protocolVersion: 4, clean: true });
  const connack4 = await v4.expect('connack');
  assert.equal(hexCode(connack4.returnCode), hexCode(ConnectReturn.IdentifierRejected));
  await v4.expectClosed();
  const v5 = await RawClient.connect(t, strict.port, { version: 5 });
  v5.send({ cmd: 'connect', clientId: '', protocolVersion: 5, clean: true });
  const connack5 = await v5.expect('connack');
  // The spec offers 0x85 (a MAY); Mosquitto sends Unspecified error, and a
  // drop-in answers as Mosquitto does.
  assert.equal(hexCode(connack5.reasonCode), hexCode(RC.UnspecifiedError));
  await v5.expectClosed();
});

test('auto_id_prefix sets the prefix of assigned client ids', async (t) => {
  const prefixed = await startBroker({ config: 'auto_id_prefix test-' });
  t.after(() => prefixed.stop());
  const c = await RawClient.session(t, prefixed.port, { protocolVersion: 5 });
  assert.match(c.connack?.properties?.assignedClientIdentifier ?? '', /^test-./);
});

for (const version of [4, 5] as const) {
  test(`[MQTT-3.2.2-2] v${version} session present only for a stored session`, async (t) => {
    const clientId = unique('present');
    const persistent =
      version === 5
        ? { clean: false, properties: { sessionExpiryInterval: 60 } }
        : { clean: false };
    const first = await RawClient.session(t, broker.port, {
      protocolVersion: version,
      clientId,
      ...persistent,
    });
    assert.equal(first.connack?.sessionPresent, false, '[MQTT-3.2.2-3] no session yet');
    first.disconnect();
    await first.expectClosed();
    const again = await RawClient.session(t, broker.port, {
      protocolVersion: version,
      clientId,
      ...persistent,
    });
    assert.equal(again.connack?.sessionPresent, true, 'stored session resumed');
    again.disconnect();
    await again.expectClosed();
    const clean = await RawClient.session(t, broker.port, {
      protocolVersion: version,
      clientId,
      clean: true,
    });
    assert.equal(clean.connack?.sessionPresent, false, '[MQTT-3.2.2-1] clean start');
  });
}

test('[MQTT-3.1.4-2] 3.1.1 a second client with the same id takes over', async (t) => {
  const clientId = unique('dup');
  const old = await RawClient.session(t, broker.port, { clientId });
  const fresh = await RawClient.session(t, broker.port, { clientId });
  await old.expectClosed();
  fresh.send({ cmd: 'pingreq' });
  await fresh.expect('pingresp');
});

test('[MQTT-3.1.4-3] 5.0 the old client gets DISCONNECT 0x8E on take-over', {
  skip: useMosquitto && 'mosquitto 2.0.11 closes the old connection, no DISCONNECT',
}, async (t) => {
  const clientId = unique('dup5');
  const old = await RawClient.session(t, broker.port, { clientId, protocolVersion: 5 });
  await RawClient.session(t, broker.port, { clientId, protocolVersion: 5 });
  const disconnect = await old.expect('disconnect');
  assert.equal(hexCode(disconnect.reasonCode), hexCode(RC.SessionTakenOver));
  await old.expectClosed();
});

test('[MQTT-3.1.4-3] 5.0 take-over closes the old connection', async (t) => {
  const clientId = unique('dup5b');
  const old = await RawClient.session(t, broker.port, { clientId, protocolVersion: 5 });
  const fresh = await RawClient.session(t, broker.port, { clientId, protocolVersion: 5 });
  await expectErrorClose(old, RC.SessionTakenOver, { optional: useMosquitto });
  fresh.send({ cmd: 'pingreq' });
  await fresh.expect('pingresp');
});

for (const version of [4, 5] as const) {
  test(`[MQTT-3.1.0-2] v${version} a second CONNECT is a protocol error`, async (t) => {
    const clientId = unique('twice');
    const c = await RawClient.session(t, broker.port, {
      clientId,
      protocolVersion: version,
    });
    c.send({ cmd: 'connect', clientId, protocolVersion: version });
    // Mosquitto closes without a DISCONNECT; a 0x82 would also be right.
    await expectErrorClose(c, RC.ProtocolError, { optional: true });
  });
}

test('[MQTT-3.12.4-1] PINGREQ gets PINGRESP', async (t) => {
  const c = await RawClient.session(t, broker.port, { clientId: unique('ping') });
  c.sendHex('c0 00');
  await c.expect('pingresp');
});

// Mosquitto checks keep alive only every few seconds, so it closes an idle
// client somewhere between 1.5 and ~7.5 s for a 1 s keep alive.
const keepAliveDeadline = useMosquitto ? 8000 : 2500;

// Side by side: each waits seconds for the broker's timers.
describe('timers', { concurrency: true }, () => {
  for (const version of [4, 5] as const) {
    keepAliveTest(version);
  }
  silentSocketTest();
});

function keepAliveTest(version: 4 | 5) {
  test(`v${version} keep alive 1 s: idle client closed after 1.5 s`, async (t) => {
    const c = await RawClient.session(t, broker.port, {
      clientId: unique('ka'),
      protocolVersion: version,
      keepalive: 1,
    });
    const started = Date.now();
    // Traffic within the keep alive keeps the connection up.
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      c.send({ cmd: 'pingreq' });
      await c.expect('pingresp');
    }
    const lastPing = Date.now();
    await expectErrorClose(c, RC.KeepAliveTimeout, {
      optional: true,
      ms: keepAliveDeadline,
    });
    const idle = Date.now() - lastPing;
    assert.ok(
      idle >= 1400,
      `closed after only ${idle} ms of silence (1.5 x 1 s allowed)`,
    );
    assert.ok(Date.now() - started < 12_000);
  });
}

/**
 * MQTT 3.1.4 asks a server to close a connection that sends no CONNECT
 * "within a reasonable amount of time". Mosquitto 2.0.11 applies a 60 s
 * keep alive to it (closed after ~90-96 s, observed; not configurable),
 * too slow for every run, so against it this needs MIDGE_SLOW_TESTS=1.
 */
function silentSocketTest() {
  const slow = useMosquitto && !process.env.MIDGE_SLOW_TESTS;
  const skip = slow && 'mosquitto takes 90 s: set MIDGE_SLOW_TESTS=1';
  test('MQTT 3.1.4: a socket that never sends CONNECT is closed', { skip }, async (t) => {
    const c = await RawClient.connect(t, broker.port);
    await c.expectClosed(100_000);
  });
}
