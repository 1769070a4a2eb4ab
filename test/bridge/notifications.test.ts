/**
 * Bridge state notifications, as Mosquitto 2.0 publishes them (observed):
 * a retained "0" locally before the first connection, "1" on both brokers
 * once connected, "0" locally when the remote goes away, and "0" on the
 * remote through the will when the bridge goes away without a word.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import {
  freePort,
  plainListener,
  retainedPayload,
  startHost,
  startMidge,
  startMidgeAt,
  until,
} from './helpers.js';

const defaultTopic = `$SYS/broker/connection/${hostname()}.n/state`;

function bridgeConf(remotePort: number, extra = ''): (port: number) => string {
  return (p) =>
    `${plainListener(p)}connection n\naddress 127.0.0.1:${remotePort}\n` +
    `restart_timeout 1\ntopic x/# both 1\n${extra}`;
}

const stateIs = (port: number, topic: string, want: string | undefined) => async () =>
  (await retainedPayload(port, topic, 100)) === want;

describe('bridge notifications', { concurrency: true }, () => {
  test('0 before the first connection, 1 on both sides, 0 when the remote dies', async (t) => {
    const remotePort = await freePort();
    const host = await startHost(bridgeConf(remotePort));
    t.after(() => host.stop());
    // The default topic names the remote client id: <hostname>.<connection>.
    await until(stateIs(host.port, defaultTopic, '0'), 3000, 'for the local 0');
    const remote = await startMidgeAt(remotePort);
    t.after(() => remote.stop());
    await until(stateIs(host.port, defaultTopic, '1'), 5000, 'for the local 1');
    await until(stateIs(remote.port, defaultTopic, '1'), 3000, 'for the remote 1');
    await remote.stop('SIGKILL');
    await until(stateIs(host.port, defaultTopic, '0'), 3000, 'for the local 0 again');
  });

  test('the will says 0 on the remote when the bridge goes', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const host = await startHost(bridgeConf(remote.port));
    await until(stateIs(remote.port, defaultTopic, '1'), 5000, 'for the remote 1');
    await host.stop();
    await until(stateIs(remote.port, defaultTopic, '0'), 3000, 'for the remote 0');
  });

  test('notification_topic replaces the $SYS topic', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const host = await startHost(
      bridgeConf(remote.port, 'notification_topic bridges/n\n'),
    );
    t.after(() => host.stop());
    await until(stateIs(remote.port, 'bridges/n', '1'), 5000, 'for the remote 1');
    await until(stateIs(host.port, 'bridges/n', '1'), 3000, 'for the local 1');
    assert.equal(await retainedPayload(host.port, defaultTopic), undefined);
  });

  test('notifications_local_only keeps the state off the remote', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const host = await startHost(
      bridgeConf(remote.port, 'notifications_local_only true\n'),
    );
    await until(stateIs(host.port, defaultTopic, '1'), 5000, 'for the local 1');
    assert.equal(
      await retainedPayload(remote.port, '$SYS/broker/connection/#'),
      undefined,
    );
    // No will either: the remote still has nothing once the bridge is gone.
    await host.stop();
    assert.equal(
      await retainedPayload(remote.port, '$SYS/broker/connection/#'),
      undefined,
    );
  });

  test('notifications false publishes no state at all', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const host = await startHost(bridgeConf(remote.port, 'notifications false\n'));
    t.after(() => host.stop());
    await host.log.waitFor('Received SUBACK');
    assert.equal(await retainedPayload(host.port, '$SYS/broker/connection/#'), undefined);
    assert.equal(
      await retainedPayload(remote.port, '$SYS/broker/connection/#'),
      undefined,
    );
  });

  test('local_clientid defaults to local.<remote client id>', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const host = await startHost(bridgeConf(remote.port));
    t.after(() => host.stop());
    await host.log.waitFor('Received SUBACK');
    const session = host.server.broker.session(`local.${hostname()}.n`);
    assert.ok(session, 'the local session exists');
    assert.deepEqual([...session.subscriptions.keys()], ['x/#']);
  });
});
