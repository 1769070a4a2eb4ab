/**
 * What a hostile or careless client cannot do to the broker: make its tree
 * walks arbitrarily deep, make it buffer replies without bound, or lose
 * retained messages another client asked for.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { startBroker } from '../helpers/broker.js';

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}

test('a topic deeper than 201 levels is refused; # subscribers are unharmed', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const attacker = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  t.after(() => attacker.endAsync(true));
  const closed = new Promise((resolve) => attacker.once('close', () => resolve(true)));
  attacker.publish('/'.repeat(20_000), 'x', { retain: true });
  await closed;

  const victim = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  t.after(() => victim.endAsync(true));
  await victim.subscribeAsync('#');
  await victim.publishAsync('still/alive', 'yes');
  const [topic] = await new Promise<[string]>((resolve) =>
    victim.once('message', (name) => resolve([name])),
  );
  assert.equal(topic, 'still/alive');
});

test('a client that never reads its replies is no longer read from', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const pid = broker.process.pid!;
  const socket = tcpConnect(broker.port, '127.0.0.1');
  t.after(() => socket.destroy());
  await new Promise((resolve) => socket.once('connect', resolve));
  // CONNECT 3.1.1, client id "noread", then PINGREQs, never reading.
  socket.write(Buffer.from('101200044d5154540402003c00066e6f72656164', 'hex'));
  socket.pause();
  // The broker going away at teardown resets this socket: not a failure.
  socket.on('error', () => {});
  const pings = Buffer.alloc(64 * 1024, Buffer.from([0xc0, 0x00]));
  // Enough to fill every kernel buffer between us many times over.
  for (let i = 0; i < 512; i++) socket.write(pings);
  await new Promise((r) => setTimeout(r, 1500));
  const rssBefore = rssBytes(pid);
  const unread = socket.writableLength;
  await new Promise((r) => setTimeout(r, 1500));
  // The broker stopped reading: most of the 32 MiB is still on our side,
  // and the broker's memory no longer moves.
  assert.ok(
    socket.writableLength > 16 * 1024 * 1024,
    `only ${socket.writableLength} left`,
  );
  assert.equal(socket.writableLength, unread);
  const grown = rssBytes(pid) - rssBefore;
  assert.ok(grown < 16 * 1024 * 1024, `broker grew by ${grown} bytes while stalled`);

  // Other clients are still served.
  const other = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`);
  t.after(() => other.endAsync(true));
  await other.publishAsync('ok', 'fine', { qos: 1 });
});

test('retained QoS 0 messages all reach a new subscriber, however large', async (t) => {
  const broker = await startBroker();
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const publisher = await mqtt.connectAsync(url);
  t.after(() => publisher.endAsync(true));
  const payload = Buffer.alloc(1024 * 1024, 0x61);
  for (let i = 0; i < 20; i++) {
    await publisher.publishAsync(`big/${i}`, payload, { retain: true, qos: 1 });
  }
  const subscriber = await mqtt.connectAsync(url);
  t.after(() => subscriber.endAsync(true));
  const seen = new Set<string>();
  const all = new Promise<void>((resolve) => {
    subscriber.on('message', (topic) => {
      seen.add(topic);
      if (seen.size === 20) resolve();
    });
  });
  await subscriber.subscribeAsync('big/#', { qos: 0 });
  await all;
  assert.equal(seen.size, 20);
});
