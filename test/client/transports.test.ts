/**
 * The transports against a real broker: TLS (CA check, client
 * certificate), TLS-PSK, WebSocket and a Unix socket, each listener set up
 * the mosquitto.conf way.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { type ClientOptions, connect, TransportError } from '../../src/client/index.js';
import { freePort, type RunningBroker, startBroker } from '../helpers/broker.js';
import { type Certs, makeCerts } from '../helpers/certs.js';
import { unique } from '../helpers/conformance.js';
import { Inbox, open } from './helpers.js';

let certs: Certs;
let dir: string;

before(() => {
  certs = makeCerts();
  dir = mkdtempSync(join(tmpdir(), 'midge-client-it-'));
  // Mosquitto started as root reads these after dropping to its own user.
  for (const d of [dir, certs.dir, certs.caPath]) chmodSync(d, 0o755);
  for (const f of readdirSync(certs.dir)) {
    if (f.includes('.')) chmodSync(join(certs.dir, f), 0o644);
  }
});

after(() => {
  certs?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A broker with one extra listener; the test is skipped while midge says
 * a needed option "is not supported yet", and runs as soon as it is.
 */
async function brokerWith(
  t: TestContext,
  listener: string[],
): Promise<RunningBroker | null> {
  try {
    const broker = await startBroker({ config: listener.join('\n') });
    t.after(() => broker.stop());
    return broker;
  } catch (err) {
    const text = String((err as Error).message);
    const missing = /option (\S+) is not supported yet \(needs midge's ([^)]+)\)/.exec(
      text,
    );
    if (!missing) throw err;
    t.skip(`broker lacks ${missing[2]} (${missing[1]})`);
    return null;
  }
}

function tlsFiles(): string[] {
  return [
    `cafile ${certs.caFile}`,
    `certfile ${certs.serverCertFile}`,
    `keyfile ${certs.serverKeyFile}`,
  ];
}

/** Publishes through `options` and receives it on a plain TCP client. */
async function roundTrip(t: TestContext, broker: RunningBroker, options: ClientOptions) {
  const topic = unique('transport');
  const watcher = await open(t, broker.port);
  const inbox = new Inbox(watcher);
  await watcher.subscribe(topic);
  const client = await connect(options);
  t.after(() => client.end());
  await client.publish(topic, 'through', { qos: 1 });
  assert.equal((await inbox.next()).payload.toString(), 'through');
  await client.disconnect();
}

test('broker transport - TLS with the CA, by name and by address', async (t) => {
  const port = await freePort();
  const broker = await brokerWith(t, [`listener ${port} 127.0.0.1`, ...tlsFiles()]);
  if (!broker) return;
  const tls = { caFile: certs.caFile };
  await roundTrip(t, broker, { host: 'localhost', port, tls });
  await roundTrip(t, broker, { host: '127.0.0.1', port, tls: { caPath: certs.caPath } });
  const err = await connect({ host: 'localhost', port, transport: 'tls' }).catch(
    (e) => e,
  );
  assert.ok(err instanceof TransportError);
  assert.equal(err.code, 'TLS_FAILED');
});

test('broker transport - TLS listener requiring a client certificate', async (t) => {
  const port = await freePort();
  const broker = await brokerWith(t, [
    `listener ${port} 127.0.0.1`,
    ...tlsFiles(),
    'require_certificate true',
  ]);
  if (!broker) return;
  const tls = {
    caFile: certs.caFile,
    certFile: certs.clientCertFile,
    keyFile: certs.clientKeyFile,
  };
  await roundTrip(t, broker, { host: 'localhost', port, tls });
  const without = { host: 'localhost', port, tls: { caFile: certs.caFile } };
  const err = await connect(without).catch((e) => e);
  assert.ok(err instanceof TransportError, String(err));
});

test('broker transport - TLS-PSK', async (t) => {
  const port = await freePort();
  const pskFile = join(dir, 'psk.txt');
  writeFileSync(pskFile, 'tester:c0ffee42\n', { mode: 0o644 });
  const broker = await brokerWith(t, [
    `psk_file ${pskFile}`,
    `listener ${port} 127.0.0.1`,
    'psk_hint midge-test',
  ]);
  if (!broker) return;
  const psk = { identity: 'tester', key: 'c0ffee42' };
  await roundTrip(t, broker, { host: '127.0.0.1', port, psk });
  const bad = { host: '127.0.0.1', port, psk: { ...psk, key: 'bad0' } };
  const err = await connect(bad).catch((e) => e);
  assert.ok(err instanceof TransportError, String(err));
});

test('broker transport - WebSocket', async (t) => {
  const port = await freePort();
  const broker = await brokerWith(t, [
    `listener ${port} 127.0.0.1`,
    'protocol websockets',
  ]);
  if (!broker) return;
  for (const protocolVersion of [4, 5] as const) {
    const options = {
      host: '127.0.0.1',
      port,
      transport: 'ws' as const,
      protocolVersion,
    };
    await roundTrip(t, broker, options);
  }
});

test('broker transport - Unix socket', async (t) => {
  const sockets = join(dir, 'sockets');
  mkdirSync(sockets, { mode: 0o777 });
  // The broker may bind after dropping privileges (Mosquitto run as root).
  chmodSync(sockets, 0o777);
  const path = join(sockets, 'mqtt.sock');
  const broker = await brokerWith(t, [`listener 0 ${path}`]);
  if (!broker) return;
  await roundTrip(t, broker, { transport: 'unix', path });
});
