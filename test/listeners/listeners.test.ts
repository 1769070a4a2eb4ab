/**
 * Several listeners at once in the built midge, each with its own
 * settings (mount_point, max_qos, max_connections,
 * use_username_as_clientid, accept_protocol_versions, socket_domain,
 * bind_interface), driven by Debian's mosquitto_pub and mosquitto_sub.
 */
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import {
  freePort,
  type RunningBroker,
  type StartOptions,
  startBroker,
} from '../helpers/broker.js';
import { pubArgs, runTool, startListening } from './support.js';

let broker: RunningBroker;
const ports: Record<string, number> = {};
const NAMES = ['mount', 'qos1', 'max1', 'userid', 'v5only', 'v4only', 'iface'] as const;
const hasLo = networkInterfaces().lo !== undefined;

before(async () => {
  for (const name of NAMES) ports[name] = await freePort();
  const at = (name: string) => `listener ${ports[name]} 127.0.0.1\n`;
  broker = await startListening({
    rawConfig: (port) =>
      `log_type all\nallow_anonymous true\nlistener ${port} 127.0.0.1\n` +
      `${at('mount')}mount_point site-a/\n` +
      `${at('qos1')}max_qos 1\n` +
      `${at('max1')}max_connections 1\n` +
      `${at('userid')}use_username_as_clientid true\n` +
      `${at('v5only')}accept_protocol_versions 5\n` +
      `listener ${ports.v4only} localhost\nsocket_domain ipv4\n` +
      (hasLo ? `listener ${ports.iface}\nbind_interface lo\n` : ''),
  });
});
after(() => broker?.stop());

function subscribe(port: number, id: string, topic: string, extra: string[] = []) {
  return runTool('mosquitto_sub', [
    ...['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-C', '1', '-W', '5', '-v'],
    ...['-i', id, ...extra],
  ]);
}

describe('several listeners, each with its own settings', () => {
  test('mount_point: a client sees its own tree, others see the prefix', async () => {
    const inside = subscribe(ports.mount!, 'mount-sub', 'news');
    await broker.waitForOutput('Received SUBSCRIBE from mount-sub');
    const pub = await runTool('mosquitto_pub', [
      ...pubArgs(broker.port, 'plain-pub'),
      ...['-t', 'site-a/news'],
    ]);
    assert.equal(pub.code, 0, pub.stderr);
    assert.equal((await inside).stdout, 'news hello\n');
  });

  test('max_qos 1: a QoS 2 subscription is granted QoS 1', async () => {
    const sub = await runTool('mosquitto_sub', [
      ...['-h', '127.0.0.1', '-p', String(ports.qos1), '-t', 'q', '-q', '2', '-d'],
      ...['-i', 'qos-sub', '-E'],
    ]);
    assert.equal(sub.code, 0, sub.stderr);
    assert.match(sub.stdout, /Subscribed \(mid: \d+\): 1/);
  });

  test('max_connections 1: a second client is turned away', async () => {
    const first = subscribe(ports.max1!, 'max-first', 'm');
    await broker.waitForOutput('Received SUBSCRIBE from max-first');
    const second = await runTool('mosquitto_pub', pubArgs(ports.max1!, 'max-second'));
    assert.notEqual(second.code, 0);
    await broker.waitForOutput(
      'Client connection from 127.0.0.1 denied: max_connections exceeded.',
    );
    const pub = await runTool('mosquitto_pub', [
      ...pubArgs(broker.port, 'max-pub'),
      '-t',
      'm',
    ]);
    assert.equal(pub.code, 0);
    assert.equal((await first).stdout, 'm hello\n');
  });

  test('use_username_as_clientid: the username names the client', async () => {
    const pub = await runTool('mosquitto_pub', [
      ...pubArgs(ports.userid!, 'given-id'),
      ...['-u', 'alice'],
    ]);
    assert.equal(pub.code, 0, pub.stderr);
    await broker.waitForOutput(/New client connected from 127\.0\.0\.1:\d+ as alice /);
  });

  test('accept_protocol_versions 5: 3.1.1 refused, 5.0 taken', async () => {
    const old = await runTool('mosquitto_pub', [
      ...pubArgs(ports.v5only!, 'v311'),
      '-V',
      '311',
    ]);
    assert.notEqual(old.code, 0);
    const v5 = await runTool('mosquitto_pub', [
      ...pubArgs(ports.v5only!, 'v5'),
      '-V',
      '5',
    ]);
    assert.equal(v5.code, 0, v5.stderr);
  });

  test('socket_domain ipv4: localhost on 127.0.0.1 only', async () => {
    const pub = await runTool('mosquitto_pub', pubArgs(ports.v4only!, 'v4-pub'));
    assert.equal(pub.code, 0, pub.stderr);
    const v6 = connect(ports.v4only!, '::1');
    const error = await new Promise<NodeJS.ErrnoException>((r) => v6.once('error', r));
    assert.match(String(error.code), /ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH/);
    assert.doesNotMatch(
      broker.output(),
      new RegExp(`ipv6 listen socket on port ${ports.v4only}`),
    );
  });

  test('bind_interface lo: the loopback addresses only', {
    skip: !hasLo && 'no lo',
  }, async () => {
    await broker.waitForOutput(`Opening ipv4 listen socket on port ${ports.iface}.`);
    const pub = await runTool('mosquitto_pub', pubArgs(ports.iface!, 'iface-pub'));
    assert.equal(pub.code, 0, pub.stderr);
  });
});

describe('bind_interface that does not exist', () => {
  test('stops start-up, naming the interface', async (t) => {
    const failed = await startBroker({
      rawConfig: (port) => `listener ${port} 127.0.0.1\nbind_interface no-such-if0\n`,
      noWait: true,
    });
    t.after(() => failed.stop());
    const code = await new Promise((r) => failed.process.once('exit', r));
    assert.equal(code, 1);
    assert.match(failed.output(), /there is no network interface "no-such-if0"/);
  });
});

interface Teardown {
  after(fn: () => void): void;
}

/**
 * Servers of the test's own on one port of `hosts` (those this machine
 * has), closed at the end; returns the port.
 */
async function hold(t: Teardown, hosts = ['127.0.0.1']): Promise<number> {
  const port = await freePort();
  for (const host of hosts) {
    if (host === '::1' && !(await canListen('::1'))) continue;
    const holder = createServer();
    await new Promise<void>((r) => holder.listen({ port, host, ipv6Only: true }, r));
    t.after(() => holder.close());
  }
  return port;
}

/** Starts a broker expected to fail: its exit status and its log lines. */
async function failedStart(t: Teardown, options: StartOptions) {
  const failed = await startBroker({ ...options, noWait: true });
  t.after(() => failed.stop());
  const code = await new Promise((r) => failed.process.once('exit', r));
  return { code, lines: failed.output().trim().split('\n') };
}

describe('a port another process holds', () => {
  test('a configured listener: "Error: Address already in use", status 1', async (t) => {
    const port = await hold(t);
    const { code, lines } = await failedStart(t, {
      rawConfig: () => `listener ${port} 127.0.0.1\n`,
    });
    assert.equal(code, 1);
    assert.match(lines.at(-1)!, /^\d+: Error: Address already in use$/);
  });

  test('local-only mode (-p): runs on ::1 when 127.0.0.1 is taken', async (t) => {
    if (!(await canListen('::1'))) {
      t.skip('no IPv6 loopback here');
      return;
    }
    const port = await hold(t);
    const broker = await startBroker({
      rawConfig: () => 'log_type all\n',
      args: ['-p', String(port)],
      noWait: true,
    });
    t.after(() => broker.stop());
    await broker.waitForOutput(/ version \S+ running/);
    assert.match(
      broker.output(),
      new RegExp(
        `Opening ipv4 listen socket on port ${port}\\.\\n\\d+: Error: Address already ` +
          `in use\\n\\d+: Opening ipv6 listen socket on port ${port}\\.`,
      ),
    );
  });
});

describe('ports another process holds, with several ports', () => {
  const holdLoopback = (t: Teardown) => hold(t, ['127.0.0.1', '::1']);

  test('-p twice: runs on the second port when the first is taken', async (t) => {
    const held = await holdLoopback(t);
    const free = await freePort();
    const broker = await startBroker({
      rawConfig: () => 'log_type all\n',
      args: ['-p', String(held), '-p', String(free)],
      noWait: true,
    });
    t.after(() => broker.stop());
    const exited = new Promise((r) => broker.process.once('exit', r));
    await Promise.race([broker.waitForOutput(/ version \S+ running/), exited]);
    assert.match(broker.output(), / version \S+ running/);
    assert.match(
      broker.output(),
      new RegExp(`Opening ipv4 listen socket on port ${free}\\.`),
    );
  });

  test('-p whose every address is taken: status 1, no line of its own', async (t) => {
    const held = await holdLoopback(t);
    const { code, lines } = await failedStart(t, {
      rawConfig: () => 'log_type all\n',
      args: ['-p', String(held)],
    });
    assert.equal(code, 1);
    assert.match(lines.at(-1)!, /^\d+: Error: Address already in use$/);
    assert.match(lines.at(-2)!, new RegExp(`Opening ipv6 listen socket on port ${held}`));
  });

  test('a websockets listener: "Unable to create websockets listener"', async (t) => {
    const port = await holdLoopback(t);
    const { code, lines } = await failedStart(t, {
      rawConfig: () => `listener ${port} 127.0.0.1\nprotocol websockets\n`,
    });
    assert.equal(code, 1);
    assert.match(
      lines.at(-1)!,
      new RegExp(`Error: Unable to create websockets listener on port ${port}\\.$`),
    );
  });
});

function canListen(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, host, () => server.close(() => resolve(true)));
  });
}
