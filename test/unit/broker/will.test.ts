import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ConnectPacket,
  PacketType,
  ReasonCode,
  type Will,
} from '../../../src/protocol/index.js';
import {
  connect,
  connected,
  nextPublish,
  nothingMore,
  startBroker,
  sub,
  subscribe,
  tick,
} from './helpers.js';

function will(o: Partial<Will> = {}): Will {
  return { topic: 'will', payload: Buffer.from('bye'), qos: 0, retain: false, ...o };
}

async function watcher(broker: ReturnType<typeof startBroker>) {
  const w = await connected(broker, `watcher${Math.random()}`, 5);
  await subscribe(w, sub('will', 2));
  return w;
}

describe('wills', () => {
  test('published when the connection is lost without DISCONNECT [MQTT-3.1.2-8]', async () => {
    const broker = startBroker();
    const w = await watcher(broker);
    const c = await connected(broker, 'c', 4, { will: will({ qos: 1 }) });
    c.close(true);
    const m = await nextPublish(w);
    assert.equal(m.payload.toString(), 'bye');
    assert.equal(m.qos, 1);
  });

  test('not published after a normal DISCONNECT [MQTT-3.1.2-10]', async () => {
    const broker = startBroker();
    const w = await watcher(broker);
    const c = await connected(broker, 'c', 5, { will: will() });
    c.send({ type: PacketType.Disconnect });
    await c.waitClosed();
    assert.equal(await nothingMore(w), undefined);
  });

  test('5.0: DISCONNECT with reason 0x04 publishes the will', async () => {
    const broker = startBroker();
    const w = await watcher(broker);
    const c = await connected(broker, 'c', 5, { will: will() });
    c.send({ type: PacketType.Disconnect, reasonCode: ReasonCode.DisconnectWithWill });
    assert.equal((await nextPublish(w)).payload.toString(), 'bye');
  });

  test('published on a protocol error too', async () => {
    const broker = startBroker();
    const w = await watcher(broker);
    const c = await connected(broker, 'c', 4, { will: will() });
    c.sendRaw(Buffer.from([0xc0, 0x01, 0x00])); // PINGREQ with a body
    assert.equal((await nextPublish(w)).payload.toString(), 'bye');
  });

  test('a retained will is stored [MQTT-3.1.2-17]', async () => {
    const broker = startBroker();
    const c = await connected(broker, 'c', 4, { will: will({ retain: true }) });
    c.close();
    await tick();
    const later = await connected(broker, 'later');
    await subscribe(later, sub('will'));
    const m = await nextPublish(later);
    assert.equal(m.retain, true);
  });

  test('5.0 will properties reach subscribers', async () => {
    const broker = startBroker();
    const w = await watcher(broker);
    const c = await connected(broker, 'c', 5, {
      will: will({
        properties: {
          contentType: 'text/plain',
          userProperties: [['k', 'v']],
          correlationData: Buffer.from([1, 2]),
          responseTopic: 'reply/here',
        },
      }),
    });
    c.close();
    const m = await nextPublish(w);
    assert.equal(m.properties?.contentType, 'text/plain');
    assert.deepEqual(m.properties?.userProperties, [['k', 'v']]);
    assert.deepEqual(m.properties?.correlationData, Buffer.from([1, 2]));
    assert.equal(m.properties?.responseTopic, 'reply/here');
  });

  test('Will Delay Interval: published after the delay [MQTT-3.1.3-9]', async () => {
    const broker = startBroker();
    const w = await watcher(broker);
    const c = await connected(broker, 'c', 5, {
      clean: false,
      properties: { sessionExpiryInterval: 100 },
      will: will({ properties: { willDelayInterval: 10 } }),
    });
    c.close();
    await tick();
    broker.sweep(Date.now() + 5_000);
    assert.equal(await nothingMore(w), undefined);
    broker.sweep(Date.now() + 10_500);
    assert.equal((await nextPublish(w)).payload.toString(), 'bye');
  });

  test('Will Delay Interval: cancelled if the client reconnects in time', async () => {
    const broker = startBroker();
    const w = await watcher(broker);
    const opts: Partial<ConnectPacket> = {
      clean: false,
      properties: { sessionExpiryInterval: 100 },
      will: will({ properties: { willDelayInterval: 10 } }),
    };
    const c = await connected(broker, 'c', 5, opts);
    c.close();
    await tick();
    await connected(broker, 'c', 5, { clean: false });
    broker.sweep(Date.now() + 20_000);
    assert.equal(await nothingMore(w), undefined);
  });

  test('Will Delay Interval: published when the session ends first', async () => {
    const broker = startBroker();
    const w = await watcher(broker);
    const c = await connected(broker, 'c', 5, {
      properties: { sessionExpiryInterval: 5 },
      will: will({ properties: { willDelayInterval: 60 } }),
    });
    c.close();
    await tick();
    broker.sweep(Date.now() + 5_500);
    assert.equal((await nextPublish(w)).payload.toString(), 'bye');
  });

  test('will QoS above max_qos: 5.0 refused with 0x9B [MQTT-3.2.2-12]', async () => {
    const broker = startBroker();
    const { connack } = await connect(broker, {
      protocolVersion: 5,
      will: will({ qos: 2 }),
      listener: { maxQos: 1 },
    });
    assert.equal(connack.reasonCode, ReasonCode.QoSNotSupported);
  });

  test('will with retain when retain is unavailable: 5.0 refused with 0x9A', async () => {
    const broker = startBroker({ retainAvailable: false });
    const { connack } = await connect(broker, {
      protocolVersion: 5,
      will: will({ retain: true }),
    });
    assert.equal(connack.reasonCode, ReasonCode.RetainNotSupported);
  });
});
