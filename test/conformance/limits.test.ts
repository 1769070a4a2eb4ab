/**
 * limits: broker options that bound what clients may do — max_qos,
 * max_keepalive (5.0 Server Keep Alive), upgrade_outgoing_qos,
 * allow_anonymous false with and without a password file, and
 * max_connections.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { startBroker } from '../helpers/broker.js';
import {
  expectErrorClose,
  fileBroker,
  hexCode,
  unique,
  useMosquitto,
} from '../helpers/conformance.js';
import { RawClient, type Version } from '../helpers/raw-client.js';
import { ConnectReturn, RC } from '../helpers/reason-codes.js';

const broker = fileBroker('max_qos 1');

async function startOwn(t: TestContext, config: string) {
  const own = await startBroker({ config });
  t.after(() => own.stop());
  return own;
}

test('[MQTT-3.2.2-9] max_qos 1: 5.0 CONNACK Maximum QoS 1', async (t) => {
  const c = await RawClient.session(t, broker.port, { protocolVersion: 5 });
  assert.equal(c.connack?.properties?.maximumQoS, 1);
});

for (const version of [4, 5] as Version[]) {
  test(`max_qos 1: v${version} SUBSCRIBE at QoS 2 is granted QoS 1`, async (t) => {
    const c = await RawClient.session(t, broker.port, {
      clientId: unique('sub'),
      protocolVersion: version,
    });
    assert.deepEqual(await c.subscribe(unique('t'), 2), [1]);
  });
}

test('[MQTT-3.2.2-11] max_qos 1: 5.0 PUBLISH at QoS 2 gets DISCONNECT 0x9B', async (t) => {
  const c = await RawClient.session(t, broker.port, { protocolVersion: 5 });
  c.send({ cmd: 'publish', topic: unique('t'), payload: 'x', qos: 2, messageId: 1 });
  await expectErrorClose(c, RC.QoSNotSupported);
});

test('max_qos 1: 3.1.1 PUBLISH at QoS 2 closes, QoS 1 is fine', async (t) => {
  const ok = await RawClient.session(t, broker.port, { clientId: unique('ok') });
  ok.send({ cmd: 'publish', topic: unique('t'), payload: 'x', qos: 1, messageId: 1 });
  await ok.expect('puback');
  const c = await RawClient.session(t, broker.port, { clientId: unique('q2') });
  c.send({ cmd: 'publish', topic: unique('t'), payload: 'x', qos: 2, messageId: 1 });
  await c.expectClosed();
});

/** Client keep alive -> Server Keep Alive in the 5.0 CONNACK (max_keepalive 10). */
const keepAlives: [number, number | undefined][] = [
  [60, 10],
  [0, 10],
  [5, undefined],
  [10, undefined],
];

test('[MQTT-3.2.2-21] max_keepalive 10: 5.0 Server Keep Alive', async (t) => {
  const own = await startOwn(t, 'max_keepalive 10');
  for (const [asked, given] of keepAlives) {
    const c = await RawClient.session(t, own.port, {
      protocolVersion: 5,
      keepalive: asked,
    });
    assert.equal(c.connack?.properties?.serverKeepAlive, given, `asked ${asked}`);
    c.close();
  }
});

test('max_keepalive 10: a 3.1.1 client asking 60 or 0 is accepted', async (t) => {
  // 3.x has no Server Keep Alive to tell the client; Mosquitto 2.0.11
  // accepts it (the 2.0.20 manual says such a client is refused).
  const own = await startOwn(t, 'max_keepalive 10');
  for (const keepalive of [60, 0]) {
    const c = await RawClient.session(t, own.port, { clientId: unique('ka'), keepalive });
    assert.equal(
      c.connack?.returnCode,
      ConnectReturn.Accepted,
      `keep alive ${keepalive}`,
    );
  }
});

test('upgrade_outgoing_qos: messages go out at the subscription QoS', async (t) => {
  const own = await startOwn(t, 'upgrade_outgoing_qos true');
  const sub = await RawClient.session(t, own.port, { clientId: 'sub' });
  await sub.subscribe('up', 2);
  const pub = await RawClient.session(t, own.port, { clientId: 'pub' });
  pub.send({ cmd: 'publish', topic: 'up', payload: 'x', qos: 0 });
  const msg = await sub.expect('publish');
  assert.equal(msg.qos, 2);
  assert.ok((msg.messageId ?? 0) > 0);
});

test('allow_anonymous false: no user name is not authorised', async (t) => {
  const own = await startOwn(t, 'allow_anonymous false');
  for (const version of [4, 5] as Version[]) {
    const c = await RawClient.connect(t, own.port, { version });
    c.send({ cmd: 'connect', clientId: unique('anon'), protocolVersion: version });
    const connack = await c.expect('connack');
    const code = version === 5 ? connack.reasonCode : connack.returnCode;
    const want = version === 5 ? RC.NotAuthorized : ConnectReturn.NotAuthorized;
    assert.equal(hexCode(code), hexCode(want), `v${version}`);
    await c.expectClosed();
  }
});

function hasMosquittoPasswd() {
  try {
    execFileSync('mosquitto_passwd', ['-h'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // It prints usage and exits 1 with -h; only a missing binary is fatal.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

test('password_file: right password accepted, wrong one refused', {
  skip: !hasMosquittoPasswd() && 'mosquitto_passwd not installed',
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-pw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-b', '-c', file, 'alice', 's3cret']);
  // Mosquitto started as root reads it as user mosquitto.
  chmodSync(dir, 0o755);
  chmodSync(file, 0o644);
  const own = await startOwn(t, `allow_anonymous false\npassword_file ${file}`);
  const good = await RawClient.session(t, own.port, {
    username: 'alice',
    password: Buffer.from('s3cret'),
  });
  assert.equal(good.connack?.returnCode, ConnectReturn.Accepted);
  const cases = [
    { version: 4 as const, want: ConnectReturn.NotAuthorized },
    { version: 5 as const, want: RC.NotAuthorized },
  ];
  for (const { version, want } of cases) {
    const bad = await RawClient.connect(t, own.port, { version });
    const password = Buffer.from('wrong');
    bad.send({
      cmd: 'connect',
      clientId: 'x',
      protocolVersion: version,
      username: 'alice',
      password,
    });
    const connack = await bad.expect('connack');
    const code = version === 5 ? connack.reasonCode : connack.returnCode;
    assert.equal(hexCode(code), hexCode(want), `v${version} wrong password`);
    await bad.expectClosed();
  }
});

async function connectsOk(t: TestContext, port: number, clientId: string) {
  const c = await RawClient.connect(t, port);
  c.send({ cmd: 'connect', clientId, protocolVersion: 4 });
  return c
    .expect('connack', 500)
    .then((connack) => connack.returnCode === ConnectReturn.Accepted)
    .catch(() => false);
}

test('max_connections 2: a third connection is refused', {
  skip: useMosquitto && 'mosquitto 2.0.11 admits max_connections + 1 clients',
}, async (t) => {
  const own = await startOwn(t, 'max_connections 2');
  const admitted = [];
  for (const id of ['one', 'two', 'three'])
    admitted.push(await connectsOk(t, own.port, id));
  assert.deepEqual(admitted, [true, true, false]);
});

test('max_connections 2: connections past the limit are closed unanswered', async (t) => {
  const own = await startOwn(t, 'max_connections 2');
  for (const id of ['one', 'two']) assert.ok(await connectsOk(t, own.port, id));
  // Mosquitto 2.0.11 lets one more in; past that every connection is closed.
  if (useMosquitto) await connectsOk(t, own.port, 'three');
  const over = await RawClient.connect(t, own.port);
  over.send({ cmd: 'connect', clientId: 'over', protocolVersion: 4 });
  await over.expectClosed();
});
