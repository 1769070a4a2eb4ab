/**
 * Loop prevention on two-way (`both`) bridges: a message crosses once and
 * never comes back. The remote learns it faces a bridge from the bridge
 * bit of the protocol level (try_private, MQTT 3.x) or from no-local
 * subscriptions (MQTT 5); the local session subscribes with no-local.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunningBroker } from '../helpers/broker.js';
import {
  client,
  Inbox,
  plainListener,
  sleep,
  startHost,
  startMidge,
  startMosquitto,
} from './helpers.js';

type Version = 'mqttv31' | 'mqttv311' | 'mqttv50';

const bridgeLines = (remotePort: number, version: Version, extra = '') =>
  `connection loop\naddress 127.0.0.1:${remotePort}\nbridge_protocol_version ${version}\n` +
  `restart_timeout 1\ntopic x/# both 1\n${extra}`;

/** One message from each side; returns what each side's subscriber saw. */
async function crossTraffic(a: number, b: number): Promise<[string[], string[]]> {
  const ca = await client(a);
  const cb = await client(b);
  const ia = new Inbox(ca);
  const ib = new Inbox(cb);
  await ca.subscribe('x/#', { qos: 1 });
  await cb.subscribe('x/#', { qos: 1 });
  await ca.publish('x/a', 'from a', { qos: 1 });
  await cb.publish('x/b', 'from b', { qos: 1 });
  await sleep(800);
  await ca.end();
  await cb.end();
  return [ia.lines().sort(), ib.lines().sort()];
}

const once = ['x/a from a', 'x/b from b'];

async function midgeBridge(
  t: { after(fn: () => unknown): void },
  remote: RunningBroker,
  version: Version,
  extra = '',
) {
  const host = await startHost(
    (p) => plainListener(p) + bridgeLines(remote.port, version, extra),
  );
  t.after(() => host.stop());
  await host.log.waitFor('Received SUBACK');
  return host;
}

describe('bridge loop prevention', { concurrency: true }, () => {
  for (const version of ['mqttv31', 'mqttv311', 'mqttv50'] as Version[]) {
    test(`midge to midge, ${version}: each message once on each side`, async (t) => {
      const remote = await startMidge(plainListener);
      t.after(() => remote.stop());
      const host = await midgeBridge(t, remote, version);
      assert.deepEqual(await crossTraffic(host.port, remote.port), [once, once]);
    });

    test(`midge to mosquitto, ${version}: each message once on each side`, async (t) => {
      const remote = await startMosquitto(plainListener);
      t.after(() => remote.stop());
      const host = await midgeBridge(t, remote, version);
      assert.deepEqual(await crossTraffic(host.port, remote.port), [once, once]);
    });

    test(`mosquitto to midge, ${version}: each message once on each side`, async (t) => {
      const remote = await startMidge(plainListener);
      t.after(() => remote.stop());
      const bridging = await startMosquitto(
        (p) => plainListener(p) + bridgeLines(remote.port, version),
      );
      t.after(() => bridging.stop());
      await sleep(700);
      assert.deepEqual(await crossTraffic(bridging.port, remote.port), [once, once]);
    });
  }

  test('try_private false on MQTT 3.1.1: the remote echoes, once', async (t) => {
    // Without the bridge bit the remote cannot tell the bridge from a
    // client and sends it its own message back; the local session's
    // no-local stops it there: one duplicate on the local side, no loop.
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const host = await midgeBridge(t, remote, 'mqttv311', 'try_private false\n');
    const [local, far] = await crossTraffic(host.port, remote.port);
    assert.deepEqual(local, ['x/a from a', 'x/a from a', 'x/b from b']);
    assert.deepEqual(far, once);
  });
});
