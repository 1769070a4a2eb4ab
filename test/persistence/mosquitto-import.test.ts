/**
 * persistence - mosquitto import: Debian's mosquitto writes a mosquitto.db
 * (retained messages, persistent 3.1.1 and 5.0 sessions with queued
 * messages, an incoming QoS 2 message awaiting PUBREL); midge, started on
 * the same folder, imports it on first start and serves all of it. The
 * midge_db_import tool does the same into a file of one's choosing.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { IPublishPacket } from 'mqtt-packet';
import { RawClient } from '../helpers/raw-client.js';
import { newSite, type Site, startMidge } from './helpers.js';

const haveMosquitto =
  spawnSync('mosquitto', ['-h'], { stdio: 'ignore' }).error === undefined;
const skip = haveMosquitto ? false : 'mosquitto is not installed';
const importTool = new URL('../../dist/cli/midge-db-import.js', import.meta.url).pathname;
const text = (p: IPublishPacket) => p.payload.toString();

/** Runs mosquitto on the site's port and folder, builds state, stops it. */
async function mosquittoState(t: TestContext, site: Site): Promise<void> {
  // Started as root, mosquitto writes as user "mosquitto".
  chmodSync(site.dir, 0o755);
  chmodSync(site.data, 0o777);
  const conf = join(site.dir, 'mosquitto.conf');
  const lines = [
    `listener ${site.port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${site.data}/`,
  ];
  writeFileSync(conf, `${lines.join('\n')}\n`);
  chmodSync(conf, 0o644);
  const child = spawn('mosquitto', ['-c', conf], { cwd: site.dir });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(() => child.kill('SIGKILL'));
  for (let i = 0; ; i++) {
    try {
      (await RawClient.connect(t, site.port)).close();
      break;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 30));
    }
  }
  const port = site.port;
  const pub = await RawClient.session(t, port, { protocolVersion: 5, clientId: 'pub' });
  const props = { contentType: 'text/plain', userProperties: { a: 'b' } };
  pub.send({
    cmd: 'publish',
    topic: 'keep/r',
    payload: 'retained1',
    qos: 1,
    messageId: 1,
    retain: true,
    properties: props,
  });
  await pub.expect('puback');
  pub.send({
    cmd: 'publish',
    topic: 'keep/exp',
    payload: 'expiring',
    qos: 1,
    messageId: 2,
    retain: true,
    properties: { messageExpiryInterval: 3600 },
  });
  await pub.expect('puback');
  const d4 = await RawClient.session(t, port, { clientId: 'dur4', clean: false });
  await d4.subscribe('q/#', 2);
  d4.disconnect();
  const d5 = await RawClient.session(t, port, {
    protocolVersion: 5,
    clientId: 'dur5',
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  });
  await d5.subscribe({ topic: 'q/#', qos: 1, nl: true, rap: true }, 1, {
    subscriptionIdentifier: 7,
  });
  d5.disconnect();
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 3; i++) {
    pub.send({
      cmd: 'publish',
      topic: 'q/a',
      payload: `queued${i}`,
      qos: 1,
      messageId: 10 + i,
    });
    await pub.expect('puback');
  }
  const held = await RawClient.session(t, port, { clientId: 'holder', clean: false });
  held.send({ cmd: 'publish', topic: 'q/held', payload: 'held', qos: 2, messageId: 9 });
  await held.expect('pubrec');
  held.close();
  pub.disconnect();
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');
  await exited;
  assert.ok(
    existsSync(join(site.data, 'mosquitto.db')),
    `no mosquitto.db; mosquitto printed:\n${output}`,
  );
}

/** Reads `n` messages, acknowledging them; returns their payloads. */
async function take(c: RawClient, n: number): Promise<IPublishPacket[]> {
  const got: IPublishPacket[] = [];
  while (got.length < n) {
    const p = await c.next();
    if (p.cmd === 'pubrel') c.send({ cmd: 'pubcomp', messageId: p.messageId });
    if (p.cmd !== 'publish') continue;
    got.push(p);
    if (p.qos === 1) c.send({ cmd: 'puback', messageId: p.messageId });
    if (p.qos === 2) c.send({ cmd: 'pubrec', messageId: p.messageId });
  }
  return got;
}

/** What midge must serve from the imported state. */
async function checkServed(t: TestContext, port: number): Promise<void> {
  const reader = await RawClient.session(t, port, { protocolVersion: 5 });
  await reader.subscribe('keep/#', 1);
  const retained = await take(reader, 2);
  retained.sort((x, y) => x.topic.localeCompare(y.topic));
  assert.deepEqual(
    retained.map((r) => [r.topic, text(r), r.retain]),
    [
      ['keep/exp', 'expiring', true],
      ['keep/r', 'retained1', true],
    ],
  );
  assert.equal(retained[1]?.properties?.contentType, 'text/plain');
  const left = retained[0]?.properties?.messageExpiryInterval ?? 0;
  assert.ok(left > 3000 && left <= 3600, `expiry left: ${left}`);

  const d4 = await RawClient.session(t, port, { clientId: 'dur4', clean: false });
  assert.equal(d4.connack?.sessionPresent, true);
  const q4 = await take(d4, 3);
  assert.deepEqual(
    q4.map((p) => [text(p), p.qos]),
    [
      ['queued0', 1],
      ['queued1', 1],
      ['queued2', 1],
    ],
  );

  const d5 = await RawClient.session(t, port, {
    protocolVersion: 5,
    clientId: 'dur5',
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
  });
  assert.equal(d5.connack?.sessionPresent, true);
  const q5 = await take(d5, 3);
  assert.deepEqual(q5.map(text), ['queued0', 'queued1', 'queued2']);
  assert.equal(q5[0]?.properties?.subscriptionIdentifier, 7);

  // The QoS 2 message Mosquitto held for PUBREL is delivered on release.
  const holder = await RawClient.session(t, port, { clientId: 'holder', clean: false });
  assert.equal(holder.connack?.sessionPresent, true);
  holder.send({ cmd: 'pubrel', messageId: 9 });
  await holder.expect('pubcomp');
  assert.deepEqual((await take(d4, 1)).map(text), ['held']);
  // No Local carried over: dur5's own message does not come back to it.
  d5.send({ cmd: 'publish', topic: 'q/own', payload: 'own', qos: 0 });
  assert.deepEqual((await take(d5, 1)).map(text), ['held']);
  assert.deepEqual((await take(d4, 1)).map(text), ['own']);
  await d5.expectNothing(200);
}

test('persistence - mosquitto import: first start imports mosquitto.db', {
  skip,
}, async (t) => {
  const site = await newSite(t);
  await mosquittoState(t, site);
  const mosquittoDb = join(site.data, 'mosquitto.db');
  const before = readFileSync(mosquittoDb);
  const midge = await startMidge(t, site);
  await midge.waitForOutput(
    `Imported Mosquitto database ${mosquittoDb} (format version 6) into ` +
      `${join(site.data, 'midge.db')}: 3 sessions, 2 subscriptions, 7 client messages, ` +
      '2 retained messages.',
  );
  await checkServed(t, site.port);
  assert.deepEqual(readFileSync(mosquittoDb), before, 'mosquitto.db was changed');
  assert.equal(await midge.stop(), 0);
  // Imported once: the next start reads midge's own file only.
  const again = await startMidge(t, site);
  await again.waitForOutput('Restored 3 sessions');
  assert.ok(!again.output().includes('Imported'));
  await again.stop();
});

test('persistence - mosquitto import: midge_db_import makes a database to name', {
  skip,
}, async (t) => {
  const site = await newSite(t);
  await mosquittoState(t, site);
  const target = join(site.dir, 'imported.db');
  const run = spawnSync(
    process.execPath,
    [importTool, join(site.data, 'mosquitto.db'), target],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.match(
    run.stdout,
    /3 sessions, 2 subscriptions, 7 client messages, 2 retained messages/,
  );
  const refused = spawnSync(
    process.execPath,
    [importTool, join(site.data, 'mosquitto.db'), target],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(refused.status, 1);
  assert.match(
    refused.stderr,
    /already exists; midge_db_import only creates new databases/,
  );
  const missing = join(site.dir, 'no-such.db');
  const absent = spawnSync(process.execPath, [importTool, missing, `${target}.2`], {
    encoding: 'utf8',
  });
  assert.equal(absent.status, 1);
  assert.match(absent.stderr, /no-such\.db does not exist\./);
  const midge = await startMidge(t, site, {
    persistence: `persistence true\npersistence_file ${target}\n`,
  });
  await checkServed(t, site.port);
  await midge.stop();
});
