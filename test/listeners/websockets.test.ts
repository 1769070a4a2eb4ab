/**
 * WebSocket listeners of the built midge: MQTT.js over ws and wss, messages
 * crossing between a WebSocket and a TCP client, http_dir static files
 * (and no way out of the folder), websockets_origin and the subprotocol.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { freePort, type RunningBroker } from '../helpers/broker.js';
import {
  type Certs,
  makeCerts,
  pubArgs,
  removeCerts,
  runTool,
  startListening,
} from './support.js';

let certs: Certs;
let broker: RunningBroker;
let wsPort: number;
let wssPort: number;
let originPort: number;

before(async () => {
  certs = makeCerts();
  const www = join(certs.dir, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'index.html'), '<title>midge</title>\n');
  writeFileSync(join(certs.dir, 'secret.txt'), 'outside http_dir\n');
  [wsPort, wssPort, originPort] = await Promise.all([freePort(), freePort(), freePort()]);
  broker = await startListening({
    rawConfig: (port) =>
      `log_type all\nallow_anonymous true\nwebsockets_headers_size 4096\n` +
      `listener ${port} 127.0.0.1\n` +
      `listener ${wsPort} 127.0.0.1\nprotocol websockets\nhttp_dir ${www}\n` +
      `listener ${wssPort} 127.0.0.1\nprotocol websockets\ncafile ${certs.ca}\n` +
      `certfile ${certs.server.cert}\nkeyfile ${certs.server.key}\n` +
      `listener ${originPort} 127.0.0.1\nprotocol websockets\n` +
      'websockets_origin https://good.example\n',
  });
});
after(async () => {
  await broker?.stop();
  removeCerts(certs);
});

function client(
  t: { after(fn: () => unknown): void },
  url: string,
  options: IClientOptions = {},
): Promise<MqttClient> {
  const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 3000, ...options });
  t.after(() => c.endAsync(true));
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('error', reject);
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

function nextMessage(c: MqttClient): Promise<[string, string]> {
  return new Promise((resolve) =>
    c.once('message', (topic, payload) => resolve([topic, payload.toString()])),
  );
}

/** A raw HTTP/1.1 GET, so the path reaches the broker exactly as written. */
function rawGet(port: number, path: string, extraHeaders = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = `Host: x\r\n${extraHeaders}Connection: close\r\n`;
    const head = `GET ${path} HTTP/1.1\r\n${headers}\r\n`;
    const socket = netConnect(port, '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

describe('MQTT over WebSockets', () => {
  test('the listener opens as Mosquitto logs it', async () => {
    await broker.waitForOutput(`Opening websockets listen socket on port ${wsPort}.`);
  });

  test('ws: subscribe and publish with MQTT.js, 3.1.1 and 5.0', async (t) => {
    for (const protocolVersion of [4, 5] as const) {
      const sub = await client(t, `ws://127.0.0.1:${wsPort}`, { protocolVersion });
      await sub.subscribeAsync('ws/t', { qos: 1 });
      const got = nextMessage(sub);
      const pub = await client(t, `ws://127.0.0.1:${wsPort}/mqtt`, { protocolVersion });
      await pub.publishAsync('ws/t', `v${protocolVersion}`, { qos: 1 });
      assert.deepEqual(await got, ['ws/t', `v${protocolVersion}`]);
    }
  });

  test('wss: MQTT.js checks the certificate and talks', async (t) => {
    const c = await client(t, `wss://127.0.0.1:${wssPort}`, {
      ca: readFileSync(certs.ca),
    });
    await c.subscribeAsync('wss/t');
    const got = nextMessage(c);
    await c.publishAsync('wss/t', 'secret');
    assert.deepEqual(await got, ['wss/t', 'secret']);
  });

  test('a TCP client reaches a WebSocket subscriber', async (t) => {
    const sub = await client(t, `ws://127.0.0.1:${wsPort}`, { clientId: 'ws-sub' });
    await sub.subscribeAsync('test/t');
    const got = nextMessage(sub);
    const pub = await runTool('mosquitto_pub', pubArgs(broker.port, 'tcp-pub'));
    assert.equal(pub.code, 0, pub.stderr);
    assert.deepEqual(await got, ['test/t', 'hello']);
    await broker.waitForOutput(/New client connected from 127\.0\.0\.1:\d+ as ws-sub /);
  });

  test('many packets in one turn arrive whole', async (t) => {
    const sub = await client(t, `ws://127.0.0.1:${wsPort}`);
    await sub.subscribeAsync('burst/#');
    const seen: string[] = [];
    const all = new Promise<void>((resolve) =>
      sub.on('message', (_topic, payload) => {
        seen.push(payload.toString());
        if (seen.length === 200) resolve();
      }),
    );
    const pub = await client(t, `ws://127.0.0.1:${wsPort}`);
    for (let i = 0; i < 200; i++) pub.publish(`burst/${i % 7}`, String(i));
    await all;
    assert.deepEqual(
      seen,
      Array.from({ length: 200 }, (_, i) => String(i)),
    );
  });
});

describe('http_dir', () => {
  test('serves index.html over plain HTTP', async () => {
    const reply = await rawGet(wsPort, '/');
    assert.match(reply, /^HTTP\/1\.1 200 OK/);
    assert.match(reply, /content-type: text\/html/i);
    assert.match(reply, /<title>midge<\/title>/);
  });

  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/nope',
  ]) {
    test(`${path} is not found`, async () => {
      const reply = await rawGet(wsPort, path);
      assert.match(reply, /^HTTP\/1\.1 404/);
      assert.doesNotMatch(reply, /outside http_dir/);
    });
  }

  test('websockets_headers_size bounds the request headers', async () => {
    const big = `X-Filler: ${'x'.repeat(5000)}\r\n`;
    assert.match(await rawGet(wsPort, '/', big), /^HTTP\/1\.1 431/);
    const small = `X-Filler: ${'x'.repeat(1000)}\r\n`;
    assert.match(await rawGet(wsPort, '/', small), /^HTTP\/1\.1 200/);
  });

  test('a listener without http_dir answers 404', async () => {
    assert.match(await rawGet(originPort, '/'), /^HTTP\/1\.1 404/);
  });
});

/** The HTTP status an upgrade gets: 101 when it is taken. */
function upgradeStatus(
  t: { after(fn: () => unknown): void },
  port: number,
  protocol: string,
  origin?: string,
): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, protocol, origin ? { origin } : {});
  t.after(() => ws.terminate());
  return new Promise<number>((resolve) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => resolve(101));
    ws.once('error', () => {});
  });
}

describe('upgrade checks', () => {
  test('websockets_origin: a listed Origin gets in, another gets 403', async (t) => {
    const url = `ws://127.0.0.1:${originPort}`;
    await client(t, url, { wsOptions: { headers: { Origin: 'https://good.example' } } });
    assert.equal(await upgradeStatus(t, originPort, 'mqtt', 'https://GOOD.example'), 101);
    assert.equal(await upgradeStatus(t, originPort, 'mqtt', 'https://evil.example'), 403);
    await assert.rejects(
      client(t, url, { wsOptions: { headers: { Origin: 'https://evil.example' } } }),
    );
  });

  test('websockets_origin: a client sending no Origin gets in', async (t) => {
    assert.equal(await upgradeStatus(t, originPort, 'mqtt'), 101);
  });

  test('an upgrade offering only other subprotocols is refused', async (t) => {
    assert.equal(await upgradeStatus(t, wsPort, 'chat'), 400);
    assert.equal(await upgradeStatus(t, wsPort, 'mqttv3.1'), 101);
  });
});
