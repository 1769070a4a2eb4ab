/**
 * Reconnecting to a real broker that went away and came back on the same
 * port: the client waits, reconnects, subscribes again (the new broker has
 * no session) and sends what was published while it was down.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConnectionRefusedError,
  type ConnectResult,
  MqttClient,
} from '../../src/client/index.js';
import { startBroker } from '../helpers/broker.js';
import { unique } from '../helpers/conformance.js';
import { Inbox, open } from './helpers.js';

test('broker reconnect - after a restart: resubscribed, queue sent', async (t) => {
  const first = await startBroker();
  t.after(() => first.stop());
  const port = first.port;
  const topic = unique('restart');
  const client = new MqttClient({
    host: '127.0.0.1',
    port,
    reconnect: { initialDelay: 50, maxDelay: 200, jitter: 0 },
  });
  t.after(() => client.end());
  const inbox = new Inbox(client);
  await client.connect();
  await client.subscribe(topic, { qos: 1 });

  const reconnecting = new Promise((resolve) => client.once('reconnecting', resolve));
  await first.stop();
  await reconnecting;
  const queued = client.publish(topic, 'sent while down', { qos: 1 });
  assert.equal(client.queuedCount, 1);

  const connected = new Promise<ConnectResult>((resolve) =>
    client.once('connect', resolve),
  );
  const second = await startBroker({
    rawConfig: () => `listener ${port} 127.0.0.1\nallow_anonymous true\n`,
    noWait: true,
  });
  t.after(() => second.stop());
  const result = await connected;
  assert.equal(result.sessionPresent, false);
  await queued;
  // Subscriptions are restored before queued messages go out.
  assert.equal((await inbox.next(3000)).payload.toString(), 'sent while down');
  const other = await open(t, port);
  await other.publish(topic, 'after restart', { qos: 1 });
  const message = await inbox.next(3000);
  assert.equal(message.payload.toString(), 'after restart');
});

test('broker reconnect - refused credentials are a ConnectionRefusedError', async (t) => {
  const broker = await startBroker({
    rawConfig: (port) => `listener ${port} 127.0.0.1\nallow_anonymous false\n`,
  });
  t.after(() => broker.stop());
  for (const protocolVersion of [4, 5] as const) {
    const client = new MqttClient({
      host: '127.0.0.1',
      port: broker.port,
      protocolVersion,
    });
    const err = await client.connect().catch((e) => e);
    assert.ok(err instanceof ConnectionRefusedError, String(err));
    // 3.1.1: 5 (not authorized); 5.0: NotAuthorized (0x87), as Mosquitto 2.0 answers.
    assert.equal(err.reasonCode, protocolVersion === 5 ? 0x87 : 5);
    assert.equal(client.state, 'closed');
  }
});
