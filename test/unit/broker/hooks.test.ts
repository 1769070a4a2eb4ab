import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AclAccess } from '../../../src/broker/index.js';
import { encode, PacketType, ReasonCode } from '../../../src/protocol/index.js';
import {
  connect,
  connected,
  connectPacket,
  listener,
  nextPublish,
  nothingMore,
  open,
  publish,
  startBroker,
  sub,
  subscribe,
} from './helpers.js';

describe('access control hook', () => {
  test('write denied: 5.0 PUBACK Not Authorized, message dropped', async () => {
    const broker = startBroker();
    broker.hooks.checkAcl = (_c, topic, access) =>
      !(access === AclAccess.Write && topic === 'secret');
    const s = await connected(broker, 's');
    await subscribe(s, sub('#'));
    const p = await connected(broker, 'p', 5);
    publish(p, 'secret', 'x', { qos: 1 });
    const ack = await p.next();
    assert.equal(
      ack.type === PacketType.Puback && ack.reasonCode,
      ReasonCode.NotAuthorized,
    );
    assert.equal(await nothingMore(s), undefined);
  });

  test('subscribe denied: SUBACK 0x87 in 5.0, 0x80 in 3.1.1', async () => {
    const broker = startBroker();
    broker.hooks.checkAcl = (_c, topic, access) =>
      !(access === AclAccess.Subscribe && topic === 'no');
    const v5 = await connected(broker, 'v5', 5);
    assert.deepEqual(
      (await subscribe(v5, [sub('no'), sub('yes')])).reasonCodes,
      [0x87, 0],
    );
    const v4 = await connected(broker, 'v4');
    assert.deepEqual(
      (await subscribe(v4, [sub('no'), sub('yes')])).reasonCodes,
      [0x80, 0],
    );
  });

  test('read denied: the message is not delivered to that client', async () => {
    const broker = startBroker();
    broker.hooks.checkAcl = (client, _t, access) =>
      !(access === AclAccess.Read && client.clientId === 'blind');
    const blind = await connected(broker, 'blind');
    const sees = await connected(broker, 'sees');
    await subscribe(blind, sub('t'));
    await subscribe(sees, sub('t'));
    const p = await connected(broker, 'p');
    publish(p, 't', 'x');
    await nextPublish(sees);
    assert.equal(await nothingMore(blind), undefined);
  });
});

describe('hook failures', () => {
  test('a throwing access hook costs the client, not the broker', async () => {
    const broker = startBroker();
    const w = await connected(broker, 'w');
    await subscribe(w, sub('w'));
    const c = await connected(broker, 'c', 4, {
      will: { topic: 'w', payload: Buffer.from('x'), qos: 0, retain: false },
    });
    broker.hooks.checkAcl = () => {
      throw new Error('acl backend down');
    };
    // The publish fails in the hook: the publisher is closed, and its will
    // meets the same hook on the way out; nothing escapes the broker.
    publish(c, 't', 'x');
    await c.waitClosed();
    broker.sweep();
    broker.hooks.checkAcl = undefined;
    const ok = await connected(broker, 'ok');
    await subscribe(ok, sub('t'));
    publish(ok, 't', 'fine');
    assert.equal((await nextPublish(ok)).payload.toString(), 'fine');
  });
});

describe('listener limits and bridges', () => {
  test('max_connections closes sockets beyond the limit', async () => {
    const broker = startBroker();
    // One listener: the same settings object for every socket.
    const limited = listener({ maxConnections: 1 });
    const first = await connected(broker, 'one', 4, { listener: limited });
    const second = open(broker, limited);
    await second.waitClosed();
    first.close();
    await new Promise((r) => setImmediate(r));
    await connected(broker, 'three', 4, { listener: limited });
  });

  test('a 3.x bridge does not get its own messages back', async () => {
    const broker = startBroker();
    const c = open(broker);
    const bytes = encode(connectPacket({ clientId: 'bridge' }), 4);
    bytes[8] = 0x84; // level 4 with the bridge bit
    c.version = 4;
    c.sendRaw(bytes);
    assert.equal((await c.next()).type, PacketType.Connack);
    await subscribe(c, sub('t'));
    publish(c, 't', 'own', { retain: true });
    assert.equal(await nothingMore(c), undefined);
    const p = await connected(broker, 'p');
    publish(p, 't', 'other', { retain: true });
    const m = await nextPublish(c);
    assert.equal(m.retain, true);
  });
});

describe('memory_limit', () => {
  test('above the limit, messages get Quota Exceeded and new clients are refused', async () => {
    const broker = startBroker({ memoryLimit: 1 });
    const s = await connected(broker, 's');
    await subscribe(s, sub('#'));
    const p = await connected(broker, 'p', 5);
    broker.sweep();
    publish(p, 'm', 'x', { qos: 1 });
    const ack = await p.next();
    assert.equal(
      ack.type === PacketType.Puback && ack.reasonCode,
      ReasonCode.QuotaExceeded,
    );
    assert.equal(await nothingMore(s), undefined);
    const { connack } = await connect(broker, { clientId: 'late', protocolVersion: 5 });
    assert.equal(connack.reasonCode, ReasonCode.ServerUnavailable);
  });

  test('below the limit, nothing changes', async () => {
    const broker = startBroker({ memoryLimit: 1024 * 1024 * 1024 * 64 });
    const p = await connected(broker, 'p', 5);
    broker.sweep();
    publish(p, 'm', 'x', { qos: 1 });
    const ack = await p.next();
    assert.equal(
      ack.type === PacketType.Puback && (ack.reasonCode ?? 0),
      ReasonCode.NoMatchingSubscribers,
    );
  });
});
