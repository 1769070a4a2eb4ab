/**
 * The client's tcpKeepalive and tcpUserTimeout options: set on the socket
 * (read back with getsockopt), and checked when the client is made.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  MqttClient,
  tcpSocketOptionsSupported,
  UsageError,
} from '../../../src/client/index.js';
import { readTcpSettings, socketTo } from '../../helpers/tcp-socket.js';
import { connectOrError, FakeServer } from './fake-server.js';

const skip = tcpSocketOptionsSupported() ? false : 'net-keepalive does not load here';

describe('TCP socket options', () => {
  test('keep-alive probes and the user timeout reach the socket', { skip }, async (t) => {
    const server = await FakeServer.tcp(t);
    server.autoHandshake = true;
    const client = await connectOrError(t, {
      host: '127.0.0.1',
      port: server.port,
      tcpKeepalive: { idle: 30, interval: 2, count: 7 },
      tcpUserTimeout: 4000,
    });
    assert.ok(client instanceof MqttClient, String(client));
    const tcp = await readTcpSettings(socketTo(server.port));
    assert.deepEqual(
      { interval: tcp.interval, probes: tcp.probes, userTimeout: tcp.userTimeout },
      { interval: 2000, probes: 7, userTimeout: 4000 },
    );
    assert.ok(tcp.keepaliveTimer !== null && tcp.keepaliveTimer <= 30);
  });

  test('values that cannot be set are refused up front', () => {
    for (const bad of [
      { tcpKeepalive: { idle: 0 } },
      { tcpKeepalive: { idle: 10, interval: 1.5 } },
      { tcpUserTimeout: -1 },
      // Past what Linux takes: setsockopt refuses or wraps them.
      { tcpKeepalive: { idle: 32768 } },
      { tcpKeepalive: { idle: 10, interval: 32768 } },
      { tcpKeepalive: { idle: 10, count: 128 } },
      { tcpUserTimeout: 2 ** 31 },
      { tcpUserTimeout: 2 ** 32 },
      // A careless JavaScript caller.
      { tcpKeepalive: {} },
      { tcpKeepalive: null },
      { tcpKeepalive: { idle: Number.NaN } },
      { tcpUserTimeout: Number.POSITIVE_INFINITY },
    ]) {
      const options = bad as ConstructorParameters<typeof MqttClient>[0];
      assert.throws(() => new MqttClient(options), UsageError, inspect(bad));
    }
  });

  test('the largest values Linux takes reach the socket', { skip }, async (t) => {
    const server = await FakeServer.tcp(t);
    server.autoHandshake = true;
    const client = await connectOrError(t, {
      host: '127.0.0.1',
      port: server.port,
      tcpKeepalive: { idle: 32767, interval: 32767, count: 127 },
      tcpUserTimeout: 2147483647,
    });
    assert.ok(client instanceof MqttClient, String(client));
    const tcp = await readTcpSettings(socketTo(server.port));
    assert.deepEqual(
      { interval: tcp.interval, probes: tcp.probes, userTimeout: tcp.userTimeout },
      { interval: 32767000, probes: 127, userTimeout: 2147483647 },
    );
  });
});
