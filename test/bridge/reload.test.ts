/**
 * Reloading bridges (SIGHUP, Mosquitto 2.1's bridge_reload_type): new
 * bridges start, removed ones stop and their local session goes, changed
 * ones restart at once (`immediate`) or when their connection next drops
 * (`lazy`), unchanged ones are left alone.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BridgeConfig } from '../../src/config/index.js';
import { parseConfig } from '../../src/config/index.js';
import {
  type BridgeHost,
  client,
  Inbox,
  plainListener,
  Relay,
  retainedPayload,
  sleep,
  startHost,
  startMidge,
  until,
} from './helpers.js';

function bridges(text: string): BridgeConfig[] {
  return parseConfig(`listener 1883\n${text}`, 'reload.conf').bridges;
}

const section = (name: string, port: number, extra: string) =>
  `connection ${name}\naddress 127.0.0.1:${port}\nrestart_timeout 1\n` +
  `remote_clientid ${name}\n${extra}`;

/** True if a message on `topic` published locally reaches the remote. */
async function crosses(host: BridgeHost, remotePort: number, topic: string) {
  const sub = await client(remotePort);
  const inbox = new Inbox(sub);
  await sub.subscribe(topic, { qos: 1 });
  const pub = await client(host.port);
  await pub.publish(topic, 'x', { qos: 1 });
  await sleep(400);
  await pub.end();
  await sub.end();
  return inbox.messages.length > 0;
}

describe('bridge reload', { concurrency: true }, () => {
  test('adds, removes and leaves alone', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const a = section('a', remote.port, 'topic a/# out 1\n');
    const b = section('b', remote.port, 'topic b/# out 1\n');
    const host = await startHost((p) => plainListener(p) + a);
    t.after(() => host.stop());
    await host.log.waitFor('Received UNSUBACK');
    await host.bridges.reload(bridges(a + b));
    await until(
      () => host.bridges.bridges.get('b')?.state === 'connected',
      5000,
      'for b',
    );
    assert.equal(host.log.count('Connecting bridge (step 1) a'), 1, 'a left alone');
    await host.bridges.reload(bridges(b));
    assert.equal(host.bridges.bridges.has('a'), false);
    assert.equal(host.server.broker.session('local.a'), undefined, 'session forgotten');
    await until(
      async () =>
        (await retainedPayload(remote.port, '$SYS/broker/connection/a/state')) === '0',
      3000,
    );
    assert.equal(await crosses(host, remote.port, 'b/1'), true);
  });

  test('immediate: a changed bridge restarts at once', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const before = section('i', remote.port, 'topic old/# out 1\n');
    const host = await startHost((p) => plainListener(p) + before);
    t.after(() => host.stop());
    await host.log.waitFor('Received UNSUBACK');
    const after = section(
      'i',
      remote.port,
      'bridge_reload_type immediate\ntopic new/# out 1\n',
    );
    await host.bridges.reload(bridges(after));
    await until(() => host.log.count('Connecting bridge (step 1) i') === 2, 5000);
    await until(() => host.bridges.bridges.get('i')?.state === 'connected', 5000);
    assert.equal(await crosses(host, remote.port, 'new/1'), true);
    assert.equal(await crosses(host, remote.port, 'old/1'), false);
  });

  test('lazy: the connection runs on until it drops', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const relay = await Relay.start(remote.port);
    t.after(() => relay.close());
    const before = section('l', relay.port, 'topic old/# out 1\n');
    const host = await startHost((p) => plainListener(p) + before);
    t.after(() => host.stop());
    await host.log.waitFor('Received UNSUBACK');
    await host.bridges.reload(bridges(section('l', relay.port, 'topic new/# out 1\n')));
    await sleep(300);
    assert.equal(await crosses(host, remote.port, 'old/1'), true, 'old config still on');
    // Cut the connection: the new settings apply to the next one.
    relay.cut();
    await until(() => host.log.count('Connecting bridge (step 1) l') === 2, 5000);
    await until(() => host.bridges.bridges.get('l')?.state === 'connected', 5000);
    assert.equal(await crosses(host, remote.port, 'new/1'), true);
    assert.equal(await crosses(host, remote.port, 'old/1'), false);
  });
});
