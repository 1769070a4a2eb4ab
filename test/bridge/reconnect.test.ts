/**
 * A bridge whose remote dies: QoS 1 messages published meanwhile wait on
 * the local session (within max_queued_messages) and reach the restarted
 * remote in order; with local_cleansession they are not kept.
 *
 * The bridge reaches its remote through a Relay the test controls, so the
 * restarted remote has its subscriber in place before the bridge returns.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunningBroker } from '../helpers/broker.js';
import {
  type BridgeHost,
  client,
  freePort,
  Inbox,
  plainListener,
  Relay,
  sleep,
  startHost,
  startMidgeAt,
  startMosquitto,
  until,
} from './helpers.js';

type Starter = (port: number) => Promise<RunningBroker>;

const starters: Record<string, Starter> = {
  midge: (port) => startMidgeAt(port),
  mosquitto: (port) => startMosquitto(plainListener, port),
};

interface Scene {
  host: BridgeHost;
  relay: Relay;
  remotePort: number;
  /** Kills the remote; the relay then turns the bridge away. */
  killRemote(): Promise<void>;
  /** Starts the remote again; the relay still turns the bridge away. */
  startRemote(): Promise<void>;
}

/** A remote, a relay to it, and a bridge through the relay. */
async function scene(
  t: { after(fn: () => unknown): void },
  start: Starter,
  options: { broker?: string; bridge?: string } = {},
): Promise<Scene> {
  const remotePort = await freePort();
  let remote = await start(remotePort);
  t.after(() => remote.stop());
  const relay = await Relay.start(remotePort);
  t.after(() => relay.close());
  const host = await startHost(
    (p) =>
      `${plainListener(p)}${options.broker ?? ''}connection r\n` +
      `address 127.0.0.1:${relay.port}\nrestart_timeout 1\ntopic q/# out 1\n` +
      (options.bridge ?? ''),
  );
  t.after(() => host.stop());
  await host.log.waitFor('Received UNSUBACK');
  return {
    host,
    relay,
    remotePort,
    async killRemote() {
      await remote.stop('SIGKILL');
      await host.log.waitFor('closed its connection.');
      relay.open = false;
    },
    async startRemote() {
      remote = await start(remotePort);
    },
  };
}

/** Subscribes to q/# on the restarted remote, then lets the bridge in. */
async function reopen(t: { after(fn: () => unknown): void }, s: Scene): Promise<Inbox> {
  await s.startRemote();
  const sub = await client(s.remotePort);
  t.after(() => sub.end());
  const inbox = new Inbox(sub);
  await sub.subscribe('q/#', { qos: 1 });
  s.relay.open = true;
  return inbox;
}

async function publishAll(port: number, topics: string[]): Promise<void> {
  const c = await client(port);
  for (const topic of topics) await c.publish(topic, topic, { qos: 1 });
  await c.end();
}

const topics = (n: number) => Array.from({ length: n }, (_, i) => `q/${i + 1}`);

describe('bridge reconnection', { concurrency: true }, () => {
  for (const [kind, start] of Object.entries(starters)) {
    test(`QoS 1 messages published while ${kind} is down arrive in order`, async (t) => {
      const s = await scene(t, start);
      await s.killRemote();
      await publishAll(s.host.port, topics(25));
      const inbox = await reopen(t, s);
      await inbox.waitCount(25, 8000);
      assert.deepEqual(
        inbox.messages.map((m) => m.topic),
        topics(25),
      );
      assert.ok(inbox.messages.every((m) => m.qos === 1));
    });
  }

  test('what waits for the remote is bounded by max_queued_messages', async (t) => {
    const broker = 'max_inflight_messages 2\nmax_queued_messages 3\n';
    const s = await scene(t, starters.midge!, { broker });
    await s.killRemote();
    await publishAll(s.host.port, topics(8));
    const inbox = await reopen(t, s);
    await inbox.waitCount(5, 8000);
    await sleep(500);
    // Two in flight on the bridge's local session, three queued: the local
    // broker dropped the rest, as Mosquitto does.
    assert.deepEqual(
      inbox.messages.map((m) => m.topic),
      topics(5),
    );
  });

  test('local_cleansession true keeps nothing for a remote that is down', async (t) => {
    const s = await scene(t, starters.midge!, { bridge: 'local_cleansession true\n' });
    await s.killRemote();
    await publishAll(s.host.port, ['q/lost']);
    const inbox = await reopen(t, s);
    await until(() => s.host.bridges.bridges.get('r')?.state === 'connected', 5000);
    await publishAll(s.host.port, ['q/after']);
    await inbox.waitCount(1);
    await sleep(300);
    assert.deepEqual(
      inbox.messages.map((m) => m.topic),
      ['q/after'],
    );
  });
});
