/** Realistic mosquitto.conf files, one per area, read end to end. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, unsupportedOptions } from '../../../src/config/index.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);

test('full file - Debian-style general, persistence and logging', () => {
  const c = loadConfig(fixture('debian-style.conf'));
  assert.equal(c.pidFile, '/run/mosquitto/mosquitto.pid');
  assert.deepEqual(
    [c.persistence, c.persistenceLocation, c.autosaveInterval],
    [true, '/var/lib/mosquitto/', 300],
  );
  assert.equal(c.persistentClientExpiration, 14 * 86400);
  assert.deepEqual(c.logDest, ['file', 'stdout']);
  assert.equal(c.logFile, '/var/log/mosquitto/mosquitto.log');
  assert.deepEqual(c.logType, ['error', 'warning', 'notice']);
  assert.equal(c.logTimestampFormat, '%Y-%m-%dT%H:%M:%S');
  assert.deepEqual(
    [c.maxInflightMessages, c.maxQueuedMessages, c.maxQueuedBytes, c.messageSizeLimit],
    [40, 5000, 10485760, 1048576],
  );
  assert.deepEqual(
    c.listeners.map((l) => [l.port, l.unixSocketPath]),
    [
      [1883, null],
      [0, '/run/mosquitto/mosquitto.sock'],
    ],
  );
  assert.equal(c.security.allowAnonymous, true);
  assert.deepEqual(
    c.warnings.map((w) => [w.line, w.message]),
    [[24, 'message_size_limit is better replaced by max_packet_size']],
  );
});

test('full file - per-listener security, TLS, PSK and websockets', () => {
  const c = loadConfig(fixture('secure.conf'));
  const [local, tls, psk, ws] = c.listeners;
  assert.equal(c.listeners.length, 4);
  assert.deepEqual(
    [local!.bindAddress, local!.maxQos, local!.mountPoint],
    ['localhost', 1, 'local/'],
  );
  assert.equal(local!.security.allowAnonymous, true);
  assert.equal(tls!.certfile, '/etc/mosquitto/certs/server.crt');
  assert.deepEqual([tls!.requireCertificate, tls!.useIdentityAsUsername], [true, true]);
  assert.deepEqual(
    [tls!.security.passwordFile, tls!.security.allowAnonymous],
    ['/etc/mosquitto/passwd', false],
  );
  assert.deepEqual(
    [psk!.pskHint, psk!.security.pskFile, psk!.socketDomain],
    ['midge', '/etc/mosquitto/psk', 'ipv4'],
  );
  assert.equal(ws!.protocol, 'websockets');
  assert.deepEqual(ws!.security.plugins[0]!.options, [
    ['config_file', '/var/lib/mosquitto/dynamic-security.json'],
  ]);
  assert.deepEqual(
    [ws!.security.allowZeroLengthClientId, ws!.security.autoIdPrefix],
    [false, 'ws-'],
  );
  const needs = new Set(unsupportedOptions(c, new Set()).map((u) => u.feature));
  assert.deepEqual([...needs].sort(), [
    'plugins',
    'psk',
    'security',
    'tls',
    'websockets',
  ]);
});

test('full file - bridges with TLS, prefixes and lazy start', () => {
  const c = loadConfig(fixture('bridge.conf'));
  const [cloud, siteB] = c.bridges;
  assert.deepEqual(cloud!.addresses, [
    { host: 'mqtt.example.com', port: 8883 },
    { host: 'mqtt2.example.com', port: 8883 },
  ]);
  assert.deepEqual(
    [cloud!.protocolVersion, cloud!.remoteClientId, cloud!.localClientId],
    ['mqttv50', 'site-a', 'local.site-a'],
  );
  assert.deepEqual(
    [cloud!.backoffBase, cloud!.backoffCap, cloud!.keepaliveInterval],
    [5, 120, 30],
  );
  assert.equal(cloud!.topics.length, 3);
  assert.deepEqual(cloud!.topics[2], {
    pattern: '',
    direction: 'both',
    qos: 0,
    localPrefix: 'status/a',
    remotePrefix: 'sites/a/status',
    source: { file: fixture('bridge.conf'), line: 24 },
  });
  assert.deepEqual(
    [siteB!.startType, siteB!.threshold, siteB!.idleTimeout],
    ['lazy', 50, 120],
  );
  assert.deepEqual([siteB!.attemptUnsubscribe, siteB!.outgoingRetain], [false, false]);
  assert.equal(siteB!.topics[0]!.pattern, 'shared/+/data');
  assert.equal(c.logType.length, 9);
});
