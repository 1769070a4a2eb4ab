/**
 * per_listener_settings and clientid_prefixes against both brokers: each
 * listener has its own allow_anonymous, password file and ACL file, and
 * only client ids with the prefix connect anywhere.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { freePort } from '../helpers/broker.js';
import { RawClient, type SessionOptions } from '../helpers/raw-client.js';
import { login, passwordLine } from '../plugins/helpers.js';
import { type BrokerKind, skipWithoutMosquitto, startSecured } from './mosquitto.js';

async function connack(t: TestContext, port: number, options: SessionOptions) {
  const c = await RawClient.session(t, port, {
    clientId: 'ok-client',
    protocolVersion: 5,
    ...options,
    mustSucceed: false,
  });
  return { c, code: c.connack?.reasonCode };
}

async function publishCode(c: RawClient, topic: string): Promise<number> {
  c.send({ cmd: 'publish', topic, payload: 'x', qos: 1, messageId: c.nextId() });
  return (await c.expect('puback')).reasonCode ?? 0;
}

const kinds: Array<[BrokerKind, string | false]> = [
  ['mosquitto', skipWithoutMosquitto],
  ['midge', false],
];

for (const [kind, skip] of kinds) {
  describe(`per-listener security - ${kind}`, { skip }, () => {
    test(`per-listener - ${kind} - each listener its own files`, async (t) => {
      const strict = await freePort();
      const config = [
        'per_listener_settings true',
        'allow_anonymous true',
        `listener ${strict} 127.0.0.1`,
        'allow_anonymous false',
        'password_file passwd',
        'acl_file acl',
      ].join('\n');
      const files = {
        passwd: passwordLine('alice', 'pw'),
        acl: 'user alice\ntopic write a/#\n',
      };
      const broker = await startSecured(t, kind, config, files);
      // The first listener: anyone, anything (but $SYS).
      const open = await connack(t, broker.port, {});
      assert.equal(open.code, 0);
      assert.equal(await publishCode(open.c, 'b/x'), 0x10);
      assert.equal((await connack(t, broker.port, login('alice', 'wrong'))).code, 0);
      // The second: the password file and the ACL file.
      assert.equal((await connack(t, strict, {})).code, 0x87);
      assert.equal((await connack(t, strict, login('alice', 'wrong'))).code, 0x87);
      const alice = await connack(t, strict, login('alice', 'pw'));
      assert.equal(alice.code, 0);
      assert.equal(await publishCode(alice.c, 'a/x'), 0x10);
      assert.equal(await publishCode(alice.c, 'b/x'), 0x87);
    });

    test(`per-listener - ${kind} - clientid_prefixes`, async (t) => {
      const broker = await startSecured(
        t,
        kind,
        'allow_anonymous true\nclientid_prefixes ok-',
      );
      assert.equal((await connack(t, broker.port, {})).code, 0);
      assert.equal((await connack(t, broker.port, { clientId: 'other' })).code, 0x87);
      const v4 = await connack(t, broker.port, { clientId: 'other', protocolVersion: 4 });
      assert.equal(v4.c.connack?.returnCode, 5);
    });
  });
}
