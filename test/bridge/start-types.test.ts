/**
 * start_type lazy (threshold, idle_timeout) and once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  client,
  freePort,
  Inbox,
  plainListener,
  sleep,
  startHost,
  startMidge,
  startMidgeAt,
  stateOn,
  until,
} from './helpers.js';

describe('bridge start types', { concurrency: true }, () => {
  test('lazy: connects at the threshold, leaves after idle_timeout', async (t) => {
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const sub = await client(remote.port);
    t.after(() => sub.end());
    const inbox = new Inbox(sub);
    await sub.subscribe('q/#', { qos: 1 });
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection z\naddress 127.0.0.1:${remote.port}\n` +
        'start_type lazy\nthreshold 3\nidle_timeout 2\nrestart_timeout 1\ntopic q/# out 1\n',
    );
    t.after(() => host.stop());
    const pub = await client(host.port);
    t.after(() => pub.end());
    await pub.publish('q/1', '1', { qos: 1 });
    await pub.publish('q/2', '2', { qos: 1 });
    await sleep(1500);
    assert.equal(host.log.count('Connecting bridge'), 0, 'two messages: still idle');
    await pub.publish('q/3', '3', { qos: 1 });
    await inbox.waitCount(3, 3000);
    assert.deepEqual(inbox.lines(), ['q/1 1', 'q/2 2', 'q/3 3']);
    assert.equal(await stateOn(remote.port), '1');
    await host.log.waitFor('has exceeded idle timeout, disconnecting.', 4000);
    await until(async () => (await stateOn(remote.port)) === '0', 3000, 'for the will');
    assert.equal(host.bridges.bridges.get('z')?.state, 'idle');
  });

  test('once: no second connection after the remote goes', async (t) => {
    const port = await freePort();
    let remote = await startMidgeAt(port);
    t.after(() => remote.stop());
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection o\naddress 127.0.0.1:${port}\n` +
        'start_type once\nrestart_timeout 1\ntopic q/# out 1\n',
    );
    t.after(() => host.stop());
    await host.log.waitFor('Received UNSUBACK');
    await remote.stop('SIGKILL');
    remote = await startMidgeAt(port);
    await sleep(2500);
    assert.equal(host.log.count('Connecting bridge (step 1)'), 1);
    assert.equal(host.bridges.bridges.get('o')?.state, 'finished');
  });
});
