/**
 * Bridges over every path: midge bridging to midge and to Debian's
 * mosquitto, and mosquitto bridging to midge, at MQTT 3.1, 3.1.1 and 5.0,
 * over TCP, TLS (with a client certificate) and TLS-PSK. Each case sends a
 * QoS 1 message each way through `topic m/# both 1 loc/ rem/`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningBroker } from '../helpers/broker.js';
import { type BridgeCerts, makeBridgeCerts, pskListener, tlsListener } from './certs.js';
import {
  client,
  freePort,
  Inbox,
  retainedPayload,
  startHost,
  startMidge,
  startMosquitto,
  until,
} from './helpers.js';

type Transport = 'tcp' | 'tls' | 'psk';
type Version = 'mqttv31' | 'mqttv311' | 'mqttv50';

const versions: Version[] = ['mqttv31', 'mqttv311', 'mqttv50'];
const transports: Transport[] = ['tcp', 'tls', 'psk'];

let certs: BridgeCerts;
before(() => {
  certs = makeBridgeCerts();
});
after(() => certs.remove());

const plain = (port: number) => `listener ${port} 127.0.0.1\nallow_anonymous true\n`;

/**
 * A remote's listeners: the one the bridge uses on `port`, and a plain one
 * on `testPort` for the test's own clients.
 */
function listeners(port: number, testPort: number, transport: Transport): string {
  if (transport === 'tcp') return plain(port);
  const secure =
    transport === 'tls' ? tlsListener(port, certs, true) : pskListener(port, certs);
  return secure + plain(testPort);
}

/** The `connection` section of a bridge to 127.0.0.1:remotePort. */
function bridgeSection(
  remotePort: number,
  version: Version,
  transport: Transport,
): string {
  const lines = [
    'connection t',
    `address 127.0.0.1:${remotePort}`,
    `bridge_protocol_version ${version}`,
    'restart_timeout 1',
    'topic m/# both 1 loc/ rem/',
  ];
  if (transport === 'tls') {
    lines.push(
      `bridge_cafile ${certs.caFile}`,
      `bridge_certfile ${certs.clientCertFile}`,
      `bridge_keyfile ${certs.clientKeyFile}`,
    );
  }
  if (transport === 'psk') {
    lines.push(`bridge_identity ${certs.pskIdentity}`, `bridge_psk ${certs.pskKey}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One message each way; `local` is the bridging broker's port. */
async function exchange(local: number, remote: number, tag: string): Promise<void> {
  const l = await client(local);
  const r = await client(remote);
  try {
    const li = new Inbox(l);
    const ri = new Inbox(r);
    await l.subscribe('loc/#', { qos: 1 });
    await r.subscribe('rem/#', { qos: 1 });
    await l.publish('loc/m/out', `out-${tag}`, { qos: 1 });
    await r.publish('rem/m/in', `in-${tag}`, { qos: 1 });
    await until(() => li.messages.length >= 2 && ri.messages.length >= 2, 5000, tag);
    assert.deepEqual(li.lines().sort(), [`loc/m/in in-${tag}`, `loc/m/out out-${tag}`]);
    assert.deepEqual(ri.lines().sort(), [`rem/m/in in-${tag}`, `rem/m/out out-${tag}`]);
  } finally {
    await l.end();
    await r.end();
  }
}

const remotes = {
  midge: startMidge,
  mosquitto: (conf: (port: number) => string) => startMosquitto(conf),
};

describe('midge bridging to another broker', { concurrency: true }, () => {
  for (const [kind, start] of Object.entries(remotes)) {
    for (const version of versions) {
      for (const transport of transports) {
        test(`to ${kind}, ${version} over ${transport}`, async (t) => {
          const testPort = await freePort();
          const remote: RunningBroker = await start((p) =>
            listeners(p, testPort, transport),
          );
          t.after(() => remote.stop());
          const remoteTestPort = transport === 'tcp' ? remote.port : testPort;
          const host = await startHost(
            (p) =>
              `listener ${p} 127.0.0.1\nallow_anonymous true\n` +
              bridgeSection(remote.port, version, transport),
          );
          t.after(() => host.stop());
          await host.log.waitFor('Received CONNACK on connection');
          await exchange(host.port, remoteTestPort, `${kind}-${version}-${transport}`);
          if (kind === 'mosquitto' && version !== 'mqttv50') {
            // try_private: mosquitto saw the bridge bit (protocol level | 0x80).
            assert.match(remote.output(), /New bridge connected from/);
          }
        });
      }
    }
  }
});

describe('mosquitto bridging to midge', { concurrency: true }, () => {
  for (const version of versions) {
    for (const transport of transports) {
      test(`${version} over ${transport}`, async (t) => {
        const testPort = await freePort();
        const remote = await startMidge((p) => listeners(p, testPort, transport));
        t.after(() => remote.stop());
        const remoteTestPort = transport === 'tcp' ? remote.port : testPort;
        const bridging = await startMosquitto(
          (p) =>
            `listener ${p} 127.0.0.1\nallow_anonymous true\n` +
            bridgeSection(remote.port, version, transport),
        );
        t.after(() => bridging.stop());
        // Mosquitto's state topic on midge says "1" once the bridge is up.
        await until(
          async () =>
            (await retainedPayload(remoteTestPort, '$SYS/broker/connection/+/state')) ===
            '1',
          8000,
          'for the mosquitto bridge',
        );
        await exchange(
          bridging.port,
          remoteTestPort,
          `mosquitto-${version}-${transport}`,
        );
      });
    }
  }
});
