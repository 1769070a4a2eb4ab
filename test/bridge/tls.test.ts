/**
 * Bridge TLS settings against Debian's mosquitto: a CA folder
 * (bridge_capath), the host name check and bridge_insecure, and the
 * lowest TLS version (bridge_tls_version).
 */
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import { type BridgeCerts, makeBridgeCerts, tlsListener } from './certs.js';
import { plainListener, startHost, startMosquitto, until } from './helpers.js';

let certs: BridgeCerts;
before(() => {
  certs = makeBridgeCerts();
});
after(() => certs.remove());

async function bridgeTo(
  t: { after(fn: () => unknown): void },
  listener: (port: number) => string,
  bridgeLines: string,
) {
  const remote = await startMosquitto(listener);
  t.after(() => remote.stop());
  const host = await startHost(
    (p) =>
      `${plainListener(p)}connection s\naddress 127.0.0.1:${remote.port}\n` +
      `restart_timeout 1\ntopic a in\n${bridgeLines}`,
  );
  t.after(() => host.stop());
  return host;
}

const connected = (host: Awaited<ReturnType<typeof bridgeTo>>) => () =>
  host.bridges.bridges.get('s')?.state === 'connected';

describe('bridge TLS settings', { concurrency: true }, () => {
  test('bridge_capath: a folder of CA certificates', async (t) => {
    const host = await bridgeTo(
      t,
      (p) => tlsListener(p, certs),
      `bridge_capath ${certs.caPath}\n`,
    );
    await until(connected(host), 5000, 'for the TLS bridge');
  });

  test('a certificate for another name is refused...', async (t) => {
    const listener = (p: number) =>
      tlsListener(p, {
        ...certs,
        serverCertFile: certs.otherCertFile,
        serverKeyFile: certs.otherKeyFile,
      });
    const host = await bridgeTo(t, listener, `bridge_cafile ${certs.caFile}\n`);
    const line = await host.log.waitFor('Error creating bridge');
    assert.match(line, /TLS|certificate|altnames/i);
    assert.notEqual(host.bridges.bridges.get('s')?.state, 'connected');
  });

  test('...unless bridge_insecure is true', async (t) => {
    const listener = (p: number) =>
      tlsListener(p, {
        ...certs,
        serverCertFile: certs.otherCertFile,
        serverKeyFile: certs.otherKeyFile,
      });
    const host = await bridgeTo(
      t,
      listener,
      `bridge_cafile ${certs.caFile}\nbridge_insecure true\n`,
    );
    await until(connected(host), 5000, 'for the insecure bridge');
  });

  test('bridge_tls_version tlsv1.3 will not settle for TLS 1.2', async (t) => {
    // A TLS 1.2-only front for a plain mosquitto: mosquitto's own
    // tls_version only sets the lowest version.
    const remote = await startMosquitto(plainListener);
    t.after(() => remote.stop());
    const front = createTlsServer(
      {
        cert: certs.serverCert,
        key: certs.serverKey,
        maxVersion: 'TLSv1.2',
      },
      (socket) => {
        const upstream = netConnect(remote.port, '127.0.0.1');
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
        socket.pipe(upstream).pipe(socket);
      },
    );
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => front.close(resolve)));
    const port = (front.address() as { port: number }).port;
    const hostFor = async (lines: string) => {
      const host = await startHost(
        (p) =>
          `${plainListener(p)}connection s\naddress 127.0.0.1:${port}\n` +
          `restart_timeout 1\ntopic a in\nbridge_cafile ${certs.caFile}\n${lines}`,
      );
      t.after(() => host.stop());
      return host;
    };
    const strict = await hostFor('bridge_tls_version tlsv1.3\n');
    const line = await strict.log.waitFor('Error creating bridge');
    assert.match(line, /TLS/);
    const relaxed = await hostFor('');
    await until(() => relaxed.bridges.bridges.get('s')?.state === 'connected', 5000);
    assert.notEqual(strict.bridges.bridges.get('s')?.state, 'connected');
  });
});
