/**
 * A real SIGHUP after the security files changed, against both brokers:
 * a connected client whose password entry is gone is disconnected at once,
 * access rules apply to connected clients from the next message on, and
 * check_retain_source stops a retained message whose publisher lost its
 * write access. midge also tells a 5.0 client why (DISCONNECT 0x87),
 * where Mosquitto just closes; a file that no longer reads keeps the old
 * rules in midge.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { RawClient } from '../helpers/raw-client.js';
import { login, passwordLine } from '../plugins/helpers.js';
import {
  type BrokerKind,
  type Mosquitto,
  skipWithoutMosquitto,
  startSecured,
} from './mosquitto.js';

const passwd = passwordLine('alice', 'a-pw') + passwordLine('bob', 'b-pw');

function client(t: TestContext, port: number, user: string, id = user) {
  return RawClient.session(t, port, {
    clientId: id,
    protocolVersion: 5,
    ...login(user, `${user[0]}-pw`),
  });
}

/** SIGHUP, once the new files are in place; resolves when it was read. */
async function hangUp(broker: Mosquitto, files: Record<string, string>) {
  for (const [name, data] of Object.entries(files)) {
    writeFileSync(join(broker.dir, name), data, { mode: 0o644 });
  }
  const before = broker.output().split('Reloading config.').length;
  broker.process.kill('SIGHUP');
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 3000;
    const check = () => {
      if (broker.output().split('Reloading config.').length > before) resolve();
      else if (Date.now() > deadline) reject(new Error('no reload'));
      else setTimeout(check, 20);
    };
    check();
  });
  // Both brokers re-check clients right after reading the files.
  await new Promise((r) => setTimeout(r, 200));
}

/** The broker dropped the client: a DISCONNECT 0x87 first, or just a close. */
async function dropped(c: RawClient) {
  const packet = await c.next().catch(() => undefined);
  if (packet !== undefined) {
    assert.equal(packet.cmd, 'disconnect');
    assert.equal(packet.reasonCode, 0x87);
  }
  await c.expectClosed();
}

const kinds: Array<[BrokerKind, string | false]> = [
  ['mosquitto', skipWithoutMosquitto],
  ['midge', false],
];

for (const [kind, skip] of kinds) {
  describe(`reload (SIGHUP) - ${kind}`, { skip }, () => {
    test(`reload - ${kind} - removed user dropped, narrowed ACL applies`, async (t) => {
      const acl = 'user alice\ntopic readwrite t/#\nuser bob\ntopic readwrite t/#\n';
      const config = 'allow_anonymous false\npassword_file passwd\nacl_file acl';
      const broker = await startSecured(t, kind, config, { passwd, acl });
      const alice = await client(t, broker.port, 'alice');
      const bob = await client(t, broker.port, 'bob');
      await alice.subscribe('t/#');
      await bob.subscribe('t/#');
      await hangUp(broker, {
        passwd: passwordLine('bob', 'b-pw'),
        acl: 'user alice\ntopic readwrite t/#\nuser bob\ntopic write t/#\n',
      });
      await dropped(alice);
      const writer = await client(t, broker.port, 'bob', 'writer');
      writer.send({
        cmd: 'publish',
        topic: 't/x',
        payload: 'after',
        qos: 1,
        messageId: 1,
      });
      await writer.expect('puback');
      await bob.expectNothing(200);
      const again = await RawClient.session(t, broker.port, {
        clientId: 'alice',
        ...login('alice', 'a-pw'),
        mustSucceed: false,
      });
      assert.equal(again.connack?.returnCode, 5);
    });

    for (const check of [true, false]) {
      test(`reload - ${kind} - check_retain_source ${check}`, async (t) => {
        const acl = 'user alice\ntopic read t/#\nuser bob\ntopic readwrite t/#\n';
        const config = [
          'allow_anonymous false',
          'password_file passwd',
          'acl_file acl',
          `check_retain_source ${check}`,
        ].join('\n');
        const broker = await startSecured(t, kind, config, { passwd, acl });
        const bob = await client(t, broker.port, 'bob');
        bob.send({
          cmd: 'publish',
          topic: 't/r',
          payload: 'kept',
          qos: 1,
          messageId: 1,
          retain: true,
        });
        await bob.expect('puback');
        bob.disconnect();
        await hangUp(broker, {
          acl: 'user alice\ntopic read t/#\nuser bob\ntopic read t/#\n',
        });
        const alice = await client(t, broker.port, 'alice');
        await alice.subscribe('t/#');
        if (check) {
          await alice.expectNothing(200);
        } else {
          const got = await alice.expect('publish');
          assert.equal(got.payload.toString(), 'kept');
          assert.equal(got.retain, true);
        }
      });
    }
  });
}

describe('reload (SIGHUP) - midge keeps what it has when a file is bad', () => {
  test('a missing password file: old users stay, the error is logged', async (t) => {
    const config = 'allow_anonymous false\npassword_file passwd';
    const broker = await startSecured(t, 'midge', config, { passwd });
    const alice = await client(t, broker.port, 'alice');
    rmSync(join(broker.dir, 'passwd'));
    await hangUp(broker, {});
    await broker.waitFor(/Error: .*passwd: cannot open password file: ENOENT; keeping/);
    await alice.expectNothing(100);
    await client(t, broker.port, 'bob');
  });
});
