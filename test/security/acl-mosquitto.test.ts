/**
 * The ACL table (acl-cases.ts) against Debian's mosquitto and against the
 * midge broker: every scenario's file becomes the broker's acl_file and
 * every case is tried with a real client, then compared with the table and
 * with midge's checker.
 *
 * How each access is observed (MQTT 5, so refusals have reason codes):
 * - write: PUBLISH QoS 1; a PUBACK reason code of 0x80 or more is a refusal.
 * - read: a privileged client first leaves a retained message on the topic
 *   ($SYS/broker/version is the broker's own); the client subscribes to the
 *   exact topic and sends PINGREQ. Mosquitto queues a retained message
 *   while handling the SUBSCRIBE, so it arrives before the PINGRESP or not
 *   at all.
 * - subscribe / unsubscribe: the SUBACK / UNSUBACK reason code.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { AclFile } from '../../src/security/acl-file.js';
import { checkSpecialTopic } from '../../src/security/special-topics.js';
import { RawClient } from '../helpers/raw-client.js';
import { type AclCase, aclScenarios, describeCase } from './acl-cases.js';
import { type BrokerKind, skipWithoutMosquitto, startSecured } from './mosquitto.js';

const GOD = 'midge-test-god';
const REFUSED = 0x80;

const kinds: Array<[BrokerKind, string | false]> = [
  ['mosquitto', skipWithoutMosquitto],
  ['midge', false],
];

for (const [kind, skip] of kinds) {
  describe(`ACL file - ${kind} does what the table says`, { skip }, () => {
    for (const scenario of aclScenarios) {
      test(`acl - ${kind} - ${scenario.name}`, async (t) => {
        const readTopics = new Set(
          scenario.cases.filter((c) => c.access === 'read').map((c) => c.topic),
        );
        const acl = scenario.acl + godSection(readTopics);
        const config = 'allow_anonymous true\nacl_file acl';
        const broker = await startSecured(t, kind, config, { acl });
        await leaveRetained(t, broker.port, readTopics);
        const { acl: checker } = AclFile.parse(scenario.acl, 'acl');
        const wrong: string[] = [];
        for (const c of scenario.cases) {
          const seen = await observe(t, broker.port, c);
          const ours =
            checkSpecialTopic(c.topic, c.access) &&
            checker.check(c.client, c.topic, c.access);
          if (seen !== c.allowed || ours !== c.allowed) {
            wrong.push(`${describeCase(c)} - ${kind} ${seen}, midge's checker ${ours}`);
          }
        }
        assert.deepEqual(wrong, []);
      });
    }
  });
}

/** A user who may write every topic the read cases use ($SYS aside). */
function godSection(topics: Set<string>): string {
  const lines = [...topics]
    .filter((topic) => !topic.startsWith('$SYS'))
    .map((topic) => `topic write ${topic}`);
  return `\nuser ${GOD}\n${lines.join('\n')}\n`;
}

async function leaveRetained(t: TestContext, port: number, topics: Set<string>) {
  const god = await session(t, port, GOD, GOD);
  for (const topic of topics) {
    if (topic.startsWith('$SYS')) continue;
    const messageId = god.nextId();
    god.send({ cmd: 'publish', topic, payload: 'kept', qos: 1, messageId, retain: true });
    const ack = await god.expect('puback');
    assert.ok((ack.reasonCode ?? 0) < REFUSED, `setup: cannot retain on ${topic}`);
  }
  god.disconnect();
}

function session(t: TestContext, port: number, clientId: string, username?: string) {
  return RawClient.session(t, port, {
    protocolVersion: 5,
    clientId,
    username,
    clean: true,
  });
}

/** What the broker lets the case's client do. */
async function observe(t: TestContext, port: number, c: AclCase): Promise<boolean> {
  const client = await session(t, port, c.client.id, c.client.username);
  try {
    if (c.access === 'write') return await tryWrite(client, c.topic);
    if (c.access === 'read') return await tryRead(client, c.topic);
    if (c.access === 'subscribe') return (await client.subscribe(c.topic))[0]! < REFUSED;
    return await tryUnsubscribe(client, c.topic);
  } finally {
    client.disconnect();
  }
}

async function tryWrite(client: RawClient, topic: string): Promise<boolean> {
  const messageId = client.nextId();
  client.send({ cmd: 'publish', topic, payload: 'x', qos: 1, messageId });
  const ack = await client.expect('puback');
  return (ack.reasonCode ?? 0) < REFUSED;
}

async function tryRead(client: RawClient, topic: string): Promise<boolean> {
  const [granted] = await client.subscribe(topic);
  assert.ok(granted! < REFUSED, `SUBSCRIBE ${topic} refused with ${granted}`);
  client.send({ cmd: 'pingreq' });
  let received = false;
  for (;;) {
    const packet = await client.next();
    if (packet.cmd === 'pingresp') return received;
    if (packet.cmd === 'publish' && packet.topic === topic) received = true;
  }
}

async function tryUnsubscribe(client: RawClient, topic: string): Promise<boolean> {
  const messageId = client.nextId();
  client.send({ cmd: 'unsubscribe', messageId, unsubscriptions: [topic] });
  const ack = await client.expect('unsuback');
  const codes = (ack as { reasonCodes?: number[] }).reasonCodes ?? [0];
  return codes[0]! < REFUSED;
}
