/**
 * Keepalive: PINGREQ after an idle interval, the PINGRESP timeout, and the
 * server's keepalive replacing the client's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TransportError } from '../../../src/client/index.js';
import { PacketType } from '../../../src/protocol/index.js';
import { connectedPair } from './fake-server.js';

// The cases wait on real timers: run them side by side.
describe('keepalive', { concurrency: true }, () => {
  test('keepalive - PINGREQ after one idle interval, again after PINGRESP', async (t) => {
    const { peer } = await connectedPair(t, { keepalive: 1 });
    const start = Date.now();
    await peer.expect(PacketType.Pingreq, 1500);
    const first = Date.now() - start;
    assert.ok(first >= 900 && first < 1400, `first PINGREQ after ${first} ms`);
    peer.send({ type: PacketType.Pingresp });
    await peer.expect(PacketType.Pingreq, 1500);
    const second = Date.now() - start;
    assert.ok(second >= 1900, `second PINGREQ after ${second} ms`);
  });

  test('keepalive - no PINGRESP within pingTimeout closes the connection', async (t) => {
    const { peer, client } = await connectedPair(t, { keepalive: 1, pingTimeout: 100 });
    const closed = new Promise<unknown>((resolve) => client.on('close', resolve));
    await peer.expect(PacketType.Pingreq, 1500);
    const err = await closed;
    assert.ok(err instanceof TransportError);
    assert.equal(err.code, 'KEEPALIVE_TIMEOUT');
    await peer.waitClosed();
  });

  test("keepalive - the server's value replaces ours [MQTT-3.2.2-21]", async (t) => {
    const { peer } = await connectedPair(
      t,
      { keepalive: 60, protocolVersion: 5 },
      { properties: { serverKeepAlive: 1 } },
    );
    await peer.expect(PacketType.Pingreq, 1500);
  });
});
