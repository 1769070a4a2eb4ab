import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketType } from '../../../src/protocol/index.js';
import {
  connected,
  nextPublish,
  publish,
  startBroker,
  sub,
  subscribe,
} from './helpers.js';

test('smoke - publish reaches a subscriber at QoS 0, 1 and 2', async () => {
  const broker = startBroker();
  const s = await connected(broker, 'sub');
  const suback = await subscribe(s, [sub('a/#', 2)]);
  assert.deepEqual(suback.reasonCodes, [2]);
  const p = await connected(broker, 'pub');
  publish(p, 'a/b', 'zero');
  assert.equal((await nextPublish(s)).payload.toString(), 'zero');
  publish(p, 'a/b', 'one', { qos: 1, packetId: 5 });
  assert.deepEqual(await p.next(), { type: PacketType.Puback, packetId: 5 });
  const m1 = await nextPublish(s);
  assert.equal(m1.qos, 1);
  s.send({ type: PacketType.Puback, packetId: m1.packetId as number });
  publish(p, 'a/b', 'two', { qos: 2, packetId: 6 });
  assert.equal((await p.next()).type, PacketType.Pubrec);
  p.send({ type: PacketType.Pubrel, packetId: 6 });
  assert.equal((await p.next()).type, PacketType.Pubcomp);
  const m2 = await nextPublish(s);
  assert.equal(m2.qos, 2);
  assert.equal(m2.payload.toString(), 'two');
});
