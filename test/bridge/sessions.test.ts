/**
 * Retained messages and the remote session across reconnections: local
 * retained messages of "out" topics reach the remote again on each
 * connection (observed with mosquitto 2.0.11), remote retained messages
 * stay retained locally, and with `cleansession false` the remote keeps
 * "in" messages for the bridge while it is away.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { RunningBroker } from '../helpers/broker.js';
import {
  client,
  freePort,
  Inbox,
  plainListener,
  Relay,
  retainedPayload,
  startHost,
  startMidge,
  startMidgeAt,
  startMosquitto,
  until,
} from './helpers.js';

const remotes: Record<string, (port?: number) => Promise<RunningBroker>> = {
  midge: (port) => (port ? startMidgeAt(port) : startMidge(plainListener)),
  mosquitto: (port) => startMosquitto(plainListener, port),
};

describe('bridge sessions and retained messages', { concurrency: true }, () => {
  for (const [kind, start] of Object.entries(remotes)) {
    test(`${kind}: local retained messages are sent again after a restart`, async (t) => {
      const port = await freePort();
      let remote = await start(port);
      t.after(() => remote.stop());
      const host = await startHost(
        (p) =>
          `${plainListener(p)}connection r\naddress 127.0.0.1:${port}\n` +
          'restart_timeout 1\ntopic keep/# out 1\n',
      );
      t.after(() => host.stop());
      const pub = await client(host.port);
      await pub.publish('keep/a', 'kept', { qos: 1, retain: true });
      await pub.end();
      await until(
        async () => (await retainedPayload(port, 'keep/a', 100)) === 'kept',
        5000,
      );
      await remote.stop('SIGKILL');
      remote = await start(port);
      await until(
        async () => (await retainedPayload(port, 'keep/a', 100)) === 'kept',
        5000,
      );
    });

    test(`${kind}: remote retained messages stay retained locally`, async (t) => {
      const remote = await start();
      t.after(() => remote.stop());
      const pub = await client(remote.port);
      await pub.publish('far/a', 'from afar', { qos: 1, retain: true });
      await pub.end();
      const host = await startHost(
        (p) =>
          `${plainListener(p)}connection r\naddress 127.0.0.1:${remote.port}\n` +
          'restart_timeout 1\ntopic far/# in 1\n',
      );
      t.after(() => host.stop());
      await until(
        async () => (await retainedPayload(host.port, 'far/a', 100)) === 'from afar',
        5000,
      );
    });
  }

  test('cleansession false: the remote keeps "in" messages while the bridge is away', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const relay = await Relay.start(remote.port);
    t.after(() => relay.close());
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection r\naddress 127.0.0.1:${relay.port}\n` +
        'restart_timeout 1\ntopic in/# in 1\n',
    );
    t.after(() => host.stop());
    await host.log.waitFor('Received SUBACK');
    const sub = await client(host.port);
    t.after(() => sub.end());
    const inbox = new Inbox(sub);
    await sub.subscribe('in/#', { qos: 1 });
    relay.open = false;
    relay.cut();
    await host.log.waitFor('closed its connection.');
    const pub = await client(remote.port);
    for (const n of [1, 2, 3]) await pub.publish(`in/${n}`, `${n}`, { qos: 1 });
    await pub.end();
    relay.open = true;
    await inbox.waitCount(3, 8000);
    assert.deepEqual(inbox.lines(), ['in/1 1', 'in/2 2', 'in/3 3']);
  });

  test('messages waiting for the remote survive a midge restart (persistence)', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const relay = await Relay.start(remote.port);
    t.after(() => relay.close());
    relay.open = false;
    const dir = mkdtempSync(join(tmpdir(), 'midge-bridge-db-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const conf = (p: number) =>
      `${plainListener(p)}persistence true\npersistence_location ${dir}/\n` +
      `connection r\naddress 127.0.0.1:${relay.port}\nrestart_timeout 1\ntopic q/# out 1\n`;
    const first = await startHost(conf);
    const pub = await client(first.port);
    for (const n of [1, 2, 3]) await pub.publish(`q/${n}`, `${n}`, { qos: 1 });
    await pub.end();
    await first.stop();
    const sub = await client(remote.port);
    t.after(() => sub.end());
    const inbox = new Inbox(sub);
    await sub.subscribe('q/#', { qos: 1 });
    relay.open = true;
    const second = await startHost(conf);
    t.after(() => second.stop());
    await inbox.waitCount(3, 8000);
    assert.deepEqual(inbox.lines(), ['q/1 1', 'q/2 2', 'q/3 3']);
  });
});
