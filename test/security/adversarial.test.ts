/**
 * Attempts to get around the checks, against both brokers with the same
 * files: wildcards in usernames and client ids meeting %u/%c patterns,
 * $SYS and $share tricks, mount-point escapes, topics and names that are
 * not valid UTF-8 or hold NUL, oversized credentials, wills on topics the
 * client may not write. Every attempt must fail, and the broker must go on
 * serving others.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { freePort } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { login, passwordLine } from '../plugins/helpers.js';
import {
  type BrokerKind,
  type Mosquitto,
  skipWithoutMosquitto,
  startSecured,
} from './mosquitto.js';

const passwd = ['alice', '+', '#', 'eve'].map((u) => passwordLine(u, 'pw')).join('');
const acl = [
  'user alice',
  'topic readwrite a/#',
  'topic readwrite m/#',
  'topic readwrite $SYS/#',
  'topic readwrite $SYSTEM/#',
  'topic readwrite $share/#',
  'pattern readwrite users/%u/#',
  'pattern readwrite clients/%c/#',
].join('\n');

interface Rig {
  broker: Mosquitto;
  /** A listener with `mount_point m/`. */
  mounted: number;
}

async function rig(t: TestContext, kind: BrokerKind): Promise<Rig> {
  const mounted = await freePort();
  const config = [
    'allow_anonymous false',
    'password_file passwd',
    'acl_file acl',
    `listener ${mounted} 127.0.0.1`,
    'mount_point m/',
  ].join('\n');
  return { broker: await startSecured(t, kind, config, { passwd, acl }), mounted };
}

function as(t: TestContext, port: number, user: string, clientId: string) {
  return RawClient.session(t, port, {
    clientId,
    protocolVersion: 5,
    ...login(user, 'pw'),
  });
}

async function publishCode(c: RawClient, topic: string): Promise<number> {
  c.send({ cmd: 'publish', topic, payload: 'x', qos: 1, messageId: c.nextId() });
  return (await c.expect('puback')).reasonCode ?? 0;
}

const REFUSED = 0x87;

const kinds: Array<[BrokerKind, string | false]> = [
  ['mosquitto', skipWithoutMosquitto],
  ['midge', false],
];

for (const [kind, skip] of kinds) {
  describe(`adversarial - ${kind}`, { skip }, () => {
    test(`adversarial - ${kind} - wildcards in usernames and client ids`, async (t) => {
      const { broker } = await rig(t, kind);
      const port = broker.port;
      const plus = await as(t, port, '+', 'plus');
      const hash = await as(t, port, 'eve', '#');
      await plus.subscribe('users/#');
      await hash.subscribe('clients/#');
      const alice = await as(t, port, 'alice', 'alice-c');
      await publishCode(alice, 'users/alice/secret');
      await publishCode(alice, 'clients/alice-c/secret');
      await plus.expectNothing(100);
      await hash.expectNothing(100);
      assert.equal(await publishCode(plus, 'users/alice/x'), REFUSED);
      assert.equal(await publishCode(plus, 'users/+/x'.replace('+', 'bob')), REFUSED);
      assert.equal(await publishCode(hash, 'clients/alice-c/x'), REFUSED);
      await broker.waitFor('ACL denying access to client with dangerous username "+"');
      await broker.waitFor('ACL denying access to client with dangerous client id "#"');
      // A password file line for user '#' reads as a comment: no such user.
      const hashUser = await RawClient.session(t, port, {
        clientId: 'hash-user',
        ...login('#', 'pw'),
        mustSucceed: false,
      });
      assert.equal(hashUser.connack?.returnCode, 5);
    });

    test(`adversarial - ${kind} - $SYS and $share cannot be written`, async (t) => {
      const { broker } = await rig(t, kind);
      const alice = await as(t, broker.port, 'alice', 'alice-c');
      const watcher = await as(t, broker.port, 'alice', 'watcher');
      await watcher.subscribe([
        { topic: '$SYS/broker/fake', qos: 0 },
        { topic: '$SYSTEM/#', qos: 0 },
        { topic: '$share/g/a/#', qos: 0 },
      ]);
      for (const topic of ['$SYS/broker/fake', '$SYSTEM/x', '$share/g/a/x']) {
        assert.equal(await publishCode(alice, topic), REFUSED, topic);
      }
      await watcher.expectNothing(100);
      // A shared subscription to '#' does not reach $SYS either.
      const shared = await as(t, broker.port, 'alice', 'shared');
      await shared.subscribe('$share/g/#');
      await shared.expectNothing(200);
    });

    test(`adversarial - ${kind} - a mount point cannot be left`, async (t) => {
      const { broker, mounted } = await rig(t, kind);
      const inside = await as(t, mounted, 'alice', 'inside');
      // '#' behind the mount point is m/#; no filter reaches further.
      await inside.subscribe('#');
      const outside = await as(t, broker.port, 'alice', 'outside');
      await outside.subscribe([
        { topic: 'a/#', qos: 0 },
        { topic: '$SYS/broker/fake', qos: 0 },
      ]);
      const writer = await as(t, broker.port, 'alice', 'writer');
      await publishCode(writer, 'a/x');
      await outside.expect('publish');
      await inside.expectNothing(100);
      // From inside, every topic lands under m/, $SYS included.
      const insider = await as(t, mounted, 'alice', 'insider');
      assert.equal(await publishCode(insider, 'a/y'), 0);
      assert.equal(await publishCode(insider, '$SYS/broker/fake'), 0);
      // midge takes the mount point off again, as documented; Debian's
      // 2.0.11 leaves it on. Either way the message stayed inside.
      const topics = [(await inside.expect('publish')).topic];
      topics.push((await inside.expect('publish')).topic);
      const inner = topics.map((topic) => topic.replace(/^m\//, ''));
      assert.deepEqual(inner, ['a/y', '$SYS/broker/fake']);
      await outside.expectNothing(100);
      // Access rules see the mount point: eve's pattern users/eve/# does
      // not cover m/users/eve/x.
      const eve = await as(t, mounted, 'eve', 'eve-inside');
      assert.equal(await publishCode(eve, 'users/eve/x'), REFUSED);
      // The broker's own $SYS/broker/version (retained) is out of reach.
      const sys = await as(t, mounted, 'alice', 'sys');
      await sys.subscribe('$SYS/#');
      await sys.expectNothing(100);
      const plain = await as(t, broker.port, 'alice', 'plain');
      await plain.subscribe('$SYS/broker/version');
      assert.equal((await plain.expect('publish')).retain, true);
    });

    test(`adversarial - ${kind} - invalid UTF-8 and NUL are refused`, async (t) => {
      const { broker } = await rig(t, kind);
      const watcher = await as(t, broker.port, 'alice', 'watcher');
      await watcher.subscribe('a/#');
      for (const topic of [Buffer.from([0x61, 0x2f, 0xc3, 0x28]), Buffer.from('a/\0x')]) {
        const c = await as(t, broker.port, 'alice', 'raw');
        // PUBLISH QoS 0: topic length, topic, payload "x" (5.0: no properties).
        c.send(
          Buffer.concat([
            Buffer.from([0x30, topic.length + 4, 0, topic.length]),
            topic,
            Buffer.from([0, 0x78]),
          ]),
        );
        await c.expectClosed().catch(async () => {
          assert.equal((await c.next()).cmd, 'disconnect');
        });
      }
      // A username that is not valid UTF-8 never logs in.
      const bad = await RawClient.connect(t, broker.port, { version: 4 });
      const user = Buffer.from([0x61, 0xff]);
      const body = Buffer.concat([
        Buffer.from([
          0,
          4,
          0x4d,
          0x51,
          0x54,
          0x54,
          4,
          0x82,
          0,
          0,
          0,
          1,
          0x63,
          0,
          user.length,
        ]),
        user,
      ]);
      bad.send(Buffer.concat([Buffer.from([0x10, body.length]), body]));
      const answer = await bad.next().catch(() => undefined);
      if (answer !== undefined)
        assert.notEqual((answer as { returnCode?: number }).returnCode, 0);
      await watcher.expectNothing(100);
    });

    test(`adversarial - ${kind} - oversized credentials are refused`, async (t) => {
      const { broker } = await rig(t, kind);
      for (const [user, pass] of [
        ['a'.repeat(65535), 'pw'],
        ['alice', 'p'.repeat(65535)],
      ] as const) {
        const c = await RawClient.session(t, broker.port, {
          clientId: 'big',
          ...login(user, pass),
          mustSucceed: false,
        });
        assert.equal(c.connack?.returnCode, 5);
      }
      await as(t, broker.port, 'alice', 'still-served');
    });

    test(`adversarial - ${kind} - a forbidden will is dropped`, async (t) => {
      const { broker } = await rig(t, kind);
      const watcher = await as(t, broker.port, 'alice', 'watcher');
      await watcher.subscribe([
        { topic: '$SYS/broker/fake', qos: 0 },
        { topic: 'users/#', qos: 0 },
      ]);
      for (const [user, topic] of [
        ['alice', '$SYS/broker/fake'],
        ['eve', 'users/alice/will'],
      ]) {
        const c = await RawClient.session(t, broker.port, {
          clientId: `will-${user}`,
          protocolVersion: 5,
          ...login(user as string, 'pw'),
          will: {
            topic: topic as string,
            payload: Buffer.from('w'),
            qos: 0,
            retain: false,
          },
        });
        c.close();
      }
      await watcher.expectNothing(300);
    });
  });
}

describe('adversarial - midge only', () => {
  test('a password followed by NUL and more is not the password', async (t) => {
    // Mosquitto stops reading a password at NUL; midge compares every byte.
    const { broker } = await rig(t, 'midge');
    const c = await RawClient.session(t, broker.port, {
      clientId: 'nul',
      ...login('alice', 'pw\0anything'),
      mustSucceed: false,
    });
    assert.equal(c.connack?.returnCode, 5);
  });

  test('a will on a $CONTROL topic is refused at CONNECT', async (t) => {
    // As Mosquitto 2.0.20 does; 2.0.11 accepted it and dropped it later.
    const { broker } = await rig(t, 'midge');
    const c = await RawClient.session(t, broker.port, {
      clientId: 'ctl-will',
      protocolVersion: 5,
      ...login('alice', 'pw'),
      will: {
        topic: '$CONTROL/dynamic-security/v1',
        payload: Buffer.from('{}'),
        qos: 0,
        retain: false,
      },
      mustSucceed: false,
    });
    assert.equal(c.connack?.reasonCode, 0x87);
  });
});
