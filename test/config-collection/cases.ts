/**
 * What each file of confs/ is for, and the check a user of that
 * deployment would make: messages through the broker with real clients,
 * logged in the way the file demands.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { bridgeCloud, bridgeEdge } from './bridge-cases.js';
import { type Case, certFile, sorted, withCert } from './case.js';
import { at, publish, subscribe, watch, words } from './clients.js';
import { listenersOf, type Run, startBroker, waitForListeners } from './collection.js';

const debianServer: Case = {
  file: 'debian-server.conf',
  async check(t, run, broker) {
    const sub = await subscribe(t, [...at(run.port('PORT1')), '-t', 'plant/+/status']);
    // The monitoring box on the second listener speaks MQTT 3.1.
    const monitor = at(run.port('PORT2'));
    const status = words('-V mqttv31 -q 1 -t plant/boiler/status -m running');
    await publish(t, [...monitor, ...status]);
    assert.deepEqual(await sub.messages, ['plant/boiler/status running']);
    const pid = readFileSync(join(run.dir, 'run', 'mosquitto.pid'), 'utf8');
    assert.equal(Number(pid.trim()), broker.process.pid);
  },
  mosquitto: 'same',
};

const secureSite: Case = {
  file: 'secure-site.conf',
  async check(t, run) {
    // The dashboard logs in over TLS with its password and reads site/#.
    const dashboard = await subscribe(
      t,
      [...at(run.port('PORT2')), '--cafile', certFile(run, 'ca.crt')].concat(
        words('-u dashboard -P dash-Pass-2 -q 1 -t site/#'),
      ),
      3,
    );
    // This listener refuses empty client ids (allow_zero_length_clientid).
    const lab = words('-u alice -P alice-Pass-1 -i alice-lab -t site/lab/run -m started');
    await publish(t, [...at(run.port('PORT1')), ...lab]);
    const device = withCert(run, 'sensor-01');
    const reading = words('-q 1 -t site/devices/sensor-01/temp -m 21.5');
    await publish(t, [...at(run.port('PORT3')), ...device, ...reading]);
    const psk = words(
      '--psk 0a1b2c3d4e5f60718293a4b5c6d7e8f9 --psk-identity sensor-psk-07',
    );
    const battery = words('-t site/devices/sensor-psk-07/battery -m 87');
    await publish(t, [...at(run.port('PORT4')), ...psk, ...battery]);
    assert.deepEqual(sorted(await dashboard.messages), [
      'site/devices/sensor-01/temp 21.5',
      'site/devices/sensor-psk-07/battery 87',
      'site/lab/run started',
    ]);
    // The CRL lists the stolen device: its certificate no longer gets in.
    // (Over TLS 1.3 Mosquitto sends a "certificate revoked" alert, which
    // mosquitto_pub reports as a protocol error; midge closes the socket.)
    const stolen = withCert(run, 'stolen-02');
    const fake = words('-t site/devices/stolen-02/temp -m -40');
    await assert.rejects(
      publish(t, [...at(run.port('PORT3')), ...stolen, ...fake]),
      /The connection was lost|Protocol error/,
    );
  },
  mosquitto: 'same',
};

/**
 * The PLC gateway's message over plain MQTT reaches the dashboards on
 * both websockets listeners, which also serve the dashboard's page.
 */
async function plcToDashboard(t: TestContext, run: Run): Promise<void> {
  const ca = readFileSync(certFile(run, 'ca.crt'));
  const ws = await watch(t, `ws://127.0.0.1:${run.port('PORT2')}/mqtt`, ['plant/#']);
  const wss = await watch(t, `wss://127.0.0.1:${run.port('PORT3')}/mqtt`, ['plant/#'], {
    ca,
  });
  await publish(t, [...at(run.port('PORT1')), ...words('-t plant/press/state -m idle')]);
  const arrived = (seen: Array<[string, string]>) =>
    seen.some(([topic, text]) => topic === 'plant/press/state' && text === 'idle');
  await Promise.all([ws.until(arrived), wss.until(arrived)]);
  for (const url of [
    `http://127.0.0.1:${run.port('PORT2')}/index.html`,
    `https://127.0.0.1:${run.port('PORT3')}/index.html`,
  ]) {
    const page = await fetchPage(url, ca);
    assert.match(page, /Control room dashboard/, url);
  }
}

/** GET over http or https (trusting `ca`); rejects unless 200. */
function fetchPage(url: string, ca: Buffer): Promise<string> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(body)
          : reject(new Error(`${url}: ${res.statusCode}`)),
      );
    }).on('error', reject);
  });
}

const websocketsDashboard: Case = {
  file: 'websockets-dashboard.conf',
  check: plcToDashboard,
  mosquitto: {
    why:
      "Debian's 2.0.11 is built without websockets: it reads the websockets " +
      'listeners but opens no socket for them, so only the plain listener is checked',
    async check(t, run) {
      const plc = at(run.port('PORT1'));
      const sub = await subscribe(t, [...plc, '-t', 'plant/#']);
      await publish(t, [...plc, ...words('-t plant/press/state -m idle')]);
      assert.deepEqual(await sub.messages, ['plant/press/state idle']);
    },
  },
};

const homeDynsec: Case = {
  file: 'home-dynsec.conf',
  async check(t, run) {
    // The wall tablet reads over the Unix socket with its dynsec login.
    const socket = ['--unix', join(run.dir, 'mosquitto.sock')];
    const tablet = await subscribe(t, [
      ...socket,
      ...words('-u dashboard -P dash-Pass-5 -t home/#'),
    ]);
    const thermostat = words('-u thermostat -P thermo-Pass-4');
    const reading = words('-t home/living/temperature -m 21.0');
    await publish(t, [...at(run.port('PORT1')), ...thermostat, ...reading]);
    assert.deepEqual(await tablet.messages, ['home/living/temperature 21.0']);
  },
  mosquitto: 'same',
};

const legacy: Case = {
  file: 'legacy-1x.conf',
  async check(t, run, broker) {
    const port = at(run.port('PORT1'));
    const plc = words('-i plc-line3 -q 1 -r -t line3/counter -m 4711');
    await publish(t, [...port, ...plc]);
    const hmi = words('-i plc-hmi-1 -t line3/#');
    const before = await subscribe(t, [...port, ...hmi]);
    assert.deepEqual(await before.messages, ['line3/counter 4711']);
    // retained_persistence (the old name of persistence) keeps the counter
    // over a restart.
    await broker.stop();
    const again = startBroker(t, run, 'legacy-1x.conf');
    await waitForListeners(again, listenersOf(join(run.dir, 'legacy-1x.conf')));
    const after = await subscribe(t, [...port, ...hmi]);
    assert.deepEqual(await after.messages, ['line3/counter 4711']);
  },
  mosquitto: 'same',
};

const observability: Case = {
  file: 'observability.conf',
  async check(t, run) {
    const port = run.port('PORT1');
    const grafana = await watch(t, `mqtt://127.0.0.1:${port}`, [
      '$SYS/broker/uptime',
      '$SYS/broker/log/M/subscribe',
    ]);
    const feed = await subscribe(t, [
      ...at(port),
      ...words('-i collector-7 -t metrics/#'),
    ]);
    await publish(t, [...at(port), ...words('-t metrics/cpu -m 0.42')]);
    assert.deepEqual(await feed.messages, ['metrics/cpu 0.42']);
    // $SYS ticks, and the collector's subscription is in the log topic.
    await grafana.until(
      (seen) =>
        seen.some(([topic]) => topic === '$SYS/broker/uptime') &&
        seen.some(
          ([, line]) => line.includes('collector-7') && line.includes('metrics/#'),
        ),
    );
    const log = readFileSync(join(run.dir, 'log', 'broker.log'), 'utf8');
    assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: /m);
  },
  mosquitto: 'same',
};

/**
 * Two tenants publish on their own ports; the operator sees both under
 * their mount points. With `refuses31`, an MQTT 3.1 client is also turned
 * away from Acme's port (accept_protocol_versions 4,5).
 */
function tenantCheck(refuses31: boolean): Case['check'] {
  return async (t, run) => {
    const operator = words('-u operator -P operator-Pass-0 -t tenants/#');
    const seen = await subscribe(t, [...at(run.port('PORT4')), ...operator], 2);
    const acme = [...at(run.port('PORT1')), ...words('-u acme-meter -P acme-Pass-7')];
    await publish(t, [...acme, ...words('-V mqttv5 -t meters/m1/kwh -m 12.5')]);
    const globex = words('-V mqttv5 -u globex-app -P globex-Pass-8');
    const setpoint = words('-q 1 -t hvac/setpoint -m 19');
    await publish(t, [...at(run.port('PORT2')), ...globex, ...setpoint]);
    assert.deepEqual(sorted(await seen.messages), [
      'tenants/acme/meters/m1/kwh 12.5',
      'tenants/globex/hvac/setpoint 19',
    ]);
    if (!refuses31) return;
    await assert.rejects(
      publish(t, [...acme, ...words('-V mqttv31 -t meters/m2/kwh -m 1')]),
      /unacceptable protocol version/,
    );
  };
}

const multiTenant: Case = {
  file: 'multi-tenant.conf',
  only21: [
    'accept_protocol_versions 4,5',
    'accept_protocol_versions 5',
    'enable_proxy_protocol 2',
    'proxy_protocol_v2_require_tls true',
  ],
  check: tenantCheck(true),
  mosquitto: {
    why: 'without the 2.1-only lines, so MQTT 3.1 is not refused there',
    check: tenantCheck(false),
  },
};

const embeddedGateway: Case = {
  file: 'embedded-gateway.conf',
  async check(t, run) {
    const socket = ['--unix', join(run.dir, 'mqtt.sock')];
    const daemon = await subscribe(t, [...socket, '-t', 'pumps/+/pressure']);
    const pump = words('-q 1 -t pumps/p2/pressure -m 3.4');
    await publish(t, [...at(run.port('PORT1')), ...pump]);
    assert.deepEqual(await daemon.messages, ['pumps/p2/pressure 3.4']);
  },
  mosquitto: 'same',
};

export const CASES: readonly Case[] = [
  debianServer,
  secureSite,
  websocketsDashboard,
  bridgeCloud,
  bridgeEdge,
  homeDynsec,
  legacy,
  observability,
  multiTenant,
  embeddedGateway,
];
