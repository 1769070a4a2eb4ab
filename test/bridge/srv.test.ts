/**
 * SRV addresses (a midge extension): `address _mqtt._tcp.<domain>` looks
 * up the domain's SRV records, here on a tiny DNS server of the test, and
 * tries the targets by priority.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DnsServer } from '../helpers/dns-server.js';
import {
  client,
  freePort,
  Inbox,
  plainListener,
  startHost,
  startMidge,
} from './helpers.js';

describe('bridge SRV addresses', { concurrency: true }, () => {
  test('the bridge connects to the target of the SRV record', async (t) => {
    const dns = await DnsServer.start();
    t.after(() => dns.close());
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    dns.records.set('_mqtt._tcp.bridge.test', [
      { priority: 10, weight: 1, port: remote.port, target: '127.0.0.1' },
    ]);
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection s\naddress _mqtt._tcp.bridge.test\n` +
        'restart_timeout 1\ntopic s/# out 1\n',
      { dnsServers: [dns.address] },
    );
    t.after(() => host.stop());
    await host.log.waitFor('Received UNSUBACK');
    assert.ok(dns.questions.includes('_mqtt._tcp.bridge.test'));
    const sub = await client(remote.port);
    t.after(() => sub.end());
    const inbox = new Inbox(sub);
    await sub.subscribe('s/#', { qos: 1 });
    const pub = await client(host.port);
    await pub.publish('s/1', 'via srv', { qos: 1 });
    await pub.end();
    await inbox.waitCount(1);
    assert.deepEqual(inbox.lines(), ['s/1 via srv']);
  });

  test('targets are tried by priority: a dead first one is skipped', async (t) => {
    const dns = await DnsServer.start();
    t.after(() => dns.close());
    const remote = await startMidge(plainListener);
    t.after(() => remote.stop());
    const dead = await freePort();
    dns.records.set('_mqtt._tcp.two.test', [
      { priority: 20, weight: 1, port: remote.port, target: '127.0.0.1' },
      { priority: 10, weight: 1, port: dead, target: '127.0.0.1' },
    ]);
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection s\naddress _mqtt._tcp.two.test\n` +
        'restart_timeout 1\ntopic s/# out 1\n',
      { dnsServers: [dns.address] },
    );
    t.after(() => host.stop());
    await host.log.waitFor('Received UNSUBACK');
    assert.equal(host.bridges.bridges.get('s')?.state, 'connected');
  });

  test('a name with no SRV record fails the attempt and is logged', async (t) => {
    const dns = await DnsServer.start();
    t.after(() => dns.close());
    const host = await startHost(
      (p) =>
        `${plainListener(p)}connection s\naddress _mqtt._tcp.nothing.test\n` +
        'restart_timeout 1\ntopic s/# out 1\n',
      { dnsServers: [dns.address] },
    );
    t.after(() => host.stop());
    const line = await host.log.waitFor('Error creating bridge');
    assert.match(line, /SRV lookup of _mqtt\._tcp\.nothing\.test failed/);
  });
});
