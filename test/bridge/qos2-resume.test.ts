/**
 * QoS 2 stays exactly once across a broken remote connection when the
 * bridge's remote session is persistent: the bridge resumes the session
 * (PUBLISH again with DUP, or PUBREL) instead of publishing anew, and
 * does not pass on twice a message the remote sends again. A relay cuts
 * the link right after a chosen packet of a QoS 2 flow, swallowing it;
 * midge and Debian's mosquitto serve as the remote.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { PacketType } from '../../src/protocol/index.js';
import { CuttingRelay, type Direction } from './cutting-relay.js';
import {
  client,
  Inbox,
  plainListener,
  sleep,
  startHost,
  startMosquitto,
  until,
} from './helpers.js';

const COUNT = 5;

interface Case {
  /** Which way the messages cross the bridge. */
  flow: 'out' | 'in';
  /** The swallowed packet: direction on the remote link, and type. */
  cut: [Direction, PacketType];
}

const CASES: Case[] = [
  // Local to remote: the remote's answers or the bridge's PUBREL are lost.
  { flow: 'out', cut: ['down', PacketType.Pubrec] },
  { flow: 'out', cut: ['up', PacketType.Pubrel] },
  { flow: 'out', cut: ['down', PacketType.Pubcomp] },
  // Remote to local: the bridge's PUBREC or PUBCOMP is lost.
  { flow: 'in', cut: ['up', PacketType.Pubrec] },
  { flow: 'in', cut: ['up', PacketType.Pubcomp] },
];

async function startRemote(t: TestContext, kind: 'midge' | 'mosquitto') {
  if (kind === 'mosquitto') {
    const remote = await startMosquitto(plainListener);
    t.after(() => remote.stop());
    return remote.port;
  }
  const remote = await startHost(plainListener);
  t.after(() => remote.stop());
  return remote.port;
}

async function run(t: TestContext, kind: 'midge' | 'mosquitto', v5: boolean, c: Case) {
  const remotePort = await startRemote(t, kind);
  const relay = await CuttingRelay.start(remotePort);
  t.after(() => relay.close());
  const version = v5
    ? 'bridge_protocol_version mqttv50\nbridge_session_expiry_interval 600\n'
    : '';
  const host = await startHost(
    (p) =>
      `${plainListener(p)}connection s\naddress 127.0.0.1:${relay.port}\n` +
      `cleansession false\nrestart_timeout 1\n${version}` +
      'topic q/# out 2\ntopic r/# in 2\n',
  );
  t.after(() => host.stop());
  const bridge = host.bridges.bridges.get('s')!;
  await until(() => bridge.state === 'connected', 5000, 'for the bridge');
  // The receiving side subscribes, the sending side publishes.
  const [subPort, pubPort, prefix] =
    c.flow === 'out' ? [remotePort, host.port, 'q'] : [host.port, remotePort, 'r'];
  const sub = await client(subPort);
  t.after(() => sub.end());
  const inbox = new Inbox(sub);
  await sub.subscribe(`${prefix}/#`, { qos: 2 });
  if (c.flow === 'in') await sleep(100); // the bridge's SUBSCRIBE on the remote
  relay.cutAt(...c.cut);
  const pub = await client(pubPort);
  t.after(() => pub.end());
  for (let i = 1; i <= COUNT; i++)
    await pub.publish(`${prefix}/${i}`, `m${i}`, { qos: 2 });
  await inbox.waitCount(COUNT, 10_000);
  assert.equal(relay.cuts, 1, 'the link was not cut');
  await until(() => bridge.state === 'connected', 5000, 'for the bridge to return');
  // Time for a duplicate to show up, if one were coming.
  await sleep(300);
  const expected = Array.from(
    { length: COUNT },
    (_, i) => `${prefix}/${i + 1} m${i + 1}`,
  );
  assert.deepEqual(inbox.lines().sort(), expected);
}

for (const kind of ['midge', 'mosquitto'] as const) {
  describe(`QoS 2 across a cut bridge link, remote ${kind}`, {
    concurrency: true,
  }, () => {
    for (const v5 of [false, true]) {
      for (const c of CASES) {
        const [direction, type] = c.cut;
        const name = `${v5 ? 'MQTT 5' : 'MQTT 3.1.1'}: ${c.flow}, ${PacketType[type]} ${direction} lost`;
        test(name, (t) => run(t, kind, v5, c));
      }
    }
  });
}
