/**
 * Enhanced authentication (MQTT 5, 4.12): the AUTH exchange before
 * CONNACK, re-authentication, and the failures.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthError,
  type AuthHandler,
  connect,
  ReasonCode,
} from '../../../src/client/index.js';
import { PacketType } from '../../../src/protocol/index.js';
import { connectedPair, FakeServer } from './fake-server.js';

const echo: AuthHandler = ({ data }) => ({ data: Buffer.from(`resp:${data}`) });

function authOptions(port: number, auth: AuthHandler) {
  return {
    host: '127.0.0.1',
    port,
    protocolVersion: 5 as const,
    properties: {
      authenticationMethod: 'TEST',
      authenticationData: Buffer.from('hello'),
    },
    auth,
  };
}

test('auth - challenges before CONNACK go to the handler and back', async (t) => {
  const server = await FakeServer.tcp(t);
  const challenges: unknown[] = [];
  const clientP = connect(
    authOptions(server.port, async (c) => {
      challenges.push({ ...c, data: c.data?.toString() });
      return echo(c);
    }),
  );
  const peer = await server.accept();
  const packet = await peer.expect(PacketType.Connect);
  assert.equal(packet.properties?.authenticationMethod, 'TEST');
  assert.equal(packet.properties?.authenticationData?.toString(), 'hello');
  for (const round of ['c1', 'c2']) {
    peer.send({
      type: PacketType.Auth,
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: {
        authenticationMethod: 'TEST',
        authenticationData: Buffer.from(round),
      },
    });
    const answer = await peer.expect(PacketType.Auth);
    assert.equal(answer.reasonCode, ReasonCode.ContinueAuthentication);
    assert.equal(answer.properties?.authenticationMethod, 'TEST');
    assert.equal(answer.properties?.authenticationData?.toString(), `resp:${round}`);
  }
  peer.send({
    type: PacketType.Connack,
    sessionPresent: false,
    reasonCode: 0,
    properties: { authenticationMethod: 'TEST', authenticationData: Buffer.from('ok') },
  });
  const client = await clientP;
  t.after(() => client.end());
  assert.equal(client.connectResult?.properties?.authenticationData?.toString(), 'ok');
  assert.equal(challenges.length, 2);
  assert.deepEqual(challenges[0], {
    method: 'TEST',
    data: 'c1',
    reauthenticating: false,
    properties: { authenticationMethod: 'TEST', authenticationData: Buffer.from('c1') },
  });
});

test('auth - reauthenticate() runs the exchange again', async (t) => {
  const options = authOptions(0, echo);
  const { peer, client } = await connectedPair(t, options);
  const done = client.reauthenticate({ data: Buffer.from('again') });
  const start = await peer.expect(PacketType.Auth);
  assert.equal(start.reasonCode, ReasonCode.ReAuthenticate);
  assert.equal(start.properties?.authenticationData?.toString(), 'again');
  peer.send({
    type: PacketType.Auth,
    reasonCode: ReasonCode.ContinueAuthentication,
    properties: { authenticationMethod: 'TEST', authenticationData: Buffer.from('c3') },
  });
  const answer = await peer.expect(PacketType.Auth);
  assert.equal(answer.properties?.authenticationData?.toString(), 'resp:c3');
  peer.send({ type: PacketType.Auth, reasonCode: ReasonCode.Success });
  assert.equal((await done).reasonCode, ReasonCode.Success);
});

test('auth - a throwing handler fails connect() with AuthError', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect(
    authOptions(server.port, () => {
      throw new Error('no such key');
    }),
  );
  const peer = await server.accept();
  await peer.expect(PacketType.Connect);
  peer.send({
    type: PacketType.Auth,
    reasonCode: ReasonCode.ContinueAuthentication,
    properties: { authenticationMethod: 'TEST' },
  });
  const err = await clientP.catch((e) => e);
  assert.ok(err instanceof AuthError);
  assert.equal(err.code, 'AUTH_FAILED');
  assert.match(err.message, /no such key/);
  await peer.waitClosed();
});

test('auth - AUTH with another method is a protocol error [MQTT-4.12.0-5]', async (t) => {
  const server = await FakeServer.tcp(t);
  const clientP = connect(authOptions(server.port, echo));
  const peer = await server.accept();
  await peer.expect(PacketType.Connect);
  peer.send({
    type: PacketType.Auth,
    reasonCode: ReasonCode.ContinueAuthentication,
    properties: { authenticationMethod: 'OTHER' },
  });
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError);
  assert.equal((await clientP.catch((e) => e)).reasonCode, ReasonCode.ProtocolError);
});

test('auth - an unasked AUTH after CONNACK is a protocol error', async (t) => {
  const { peer } = await connectedPair(t, authOptions(0, echo));
  peer.send({ type: PacketType.Auth, reasonCode: ReasonCode.Success });
  const disconnect = await peer.expect(PacketType.Disconnect);
  assert.equal(disconnect.reasonCode, ReasonCode.ProtocolError);
});
