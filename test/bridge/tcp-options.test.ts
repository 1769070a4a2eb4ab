/**
 * bridge_tcp_keepalive and bridge_tcp_user_timeout (Mosquitto 2.1) are set
 * on the bridge's connection to its remote: read back from the socket
 * with getsockopt(), and the keep-alive timer seen by `ss`.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { tcpSocketOptionsSupported } from '../../src/client/index.js';
import { readTcpSettings, socketTo } from '../helpers/tcp-socket.js';
import { plainListener, startHost, until } from './helpers.js';

const skip = tcpSocketOptionsSupported() ? false : 'net-keepalive does not load here';

async function bridgeWith(t: TestContext, lines: string) {
  const remote = await startHost(plainListener);
  t.after(() => remote.stop());
  const host = await startHost(
    (p) =>
      `${plainListener(p)}connection s\naddress 127.0.0.1:${remote.port}\n` +
      `restart_timeout 1\ntopic a in\n${lines}`,
  );
  t.after(() => host.stop());
  await until(() => host.bridges.bridges.get('s')?.state === 'connected', 5000);
  return await readTcpSettings(socketTo(remote.port));
}

describe('bridge TCP settings', { concurrency: true, skip }, () => {
  test('bridge_tcp_keepalive and bridge_tcp_user_timeout are applied', async (t) => {
    const tcp = await bridgeWith(
      t,
      'bridge_tcp_keepalive 77 9 4\nbridge_tcp_user_timeout 12345\n',
    );
    assert.equal(tcp.interval, 9000);
    assert.equal(tcp.probes, 4);
    assert.equal(tcp.userTimeout, 12345);
    assert.ok(tcp.keepaliveTimer !== null, 'no keep-alive timer on the socket');
    assert.ok(
      tcp.keepaliveTimer > 60 && tcp.keepaliveTimer <= 77,
      `${tcp.keepaliveTimer}`,
    );
  });

  test('without them the system defaults stay', async (t) => {
    const tcp = await bridgeWith(t, '');
    assert.equal(tcp.keepaliveTimer, null);
    assert.equal(tcp.userTimeout, 0);
    assert.notEqual(tcp.interval, 9000);
  });
});
