/**
 * Plugins deciding who gets in and what they may do: the order in which
 * plugins, the password file and allow_anonymous are asked, async answers
 * and their time limit, plugins that fail in every way a plugin can, and
 * 5.0 enhanced authentication with re-authentication. Plugins here are
 * registered as built-ins (`plugin builtin:<name>`), so a test can hold
 * state in closures.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import type { Decision, MidgePlugin, PluginFactory } from '../../src/plugins/index.js';
import { RawClient } from '../helpers/raw-client.js';
import { startInProcess } from '../security/in-process.js';
import {
  connackCode as code,
  fresh,
  login,
  passwordLine,
  pluginLine,
} from './helpers.js';

const byUser =
  (table: Record<string, Decision>): MidgePlugin['basicAuth'] =>
  ({ username }) =>
    table[username ?? ''] ?? 'defer';

describe('basic auth: plugins, password file, allow_anonymous', () => {
  test('plugins are asked in order, before the password file', async (t) => {
    const first = pluginLine({ basicAuth: byUser({ bob: 'allow', alice: 'deny' }) });
    const second = pluginLine({ basicAuth: byUser({ bob: 'deny', carol: 'allow' }) });
    const midge = await startInProcess(
      t,
      `allow_anonymous false\n${first}\n${second}\npassword_file {dir}/passwd`,
      { files: { passwd: passwordLine('alice', 'pw') + passwordLine('dave', 'pw') } },
    );
    const { port } = midge;
    assert.equal(await code(t, port, login('bob', 'x')), 0);
    assert.equal(await code(t, port, login('carol')), 0);
    // A plugin's deny wins over a right password in the file.
    assert.equal(await code(t, port, login('alice', 'pw')), 5);
    assert.equal(await code(t, port, login('dave', 'pw')), 0);
    assert.equal(await code(t, port, login('dave', 'bad')), 5);
    assert.equal(await code(t, port, login()), 5);
  });

  test('when everyone defers only anonymous clients get in, if allowed', async (t) => {
    const defer = pluginLine({ basicAuth: () => 'defer' });
    const midge = await startInProcess(t, `allow_anonymous true\n${defer}`);
    assert.equal(await code(t, midge.port, login()), 0);
    assert.equal(await code(t, midge.port, login('', 'x')), 0);
    assert.equal(await code(t, midge.port, login('bob', 'x')), 5);
    assert.equal(
      await code(t, midge.port, { ...login('bob'), protocolVersion: 5 }),
      0x87,
    );
  });

  test('a plugin may admit an anonymous client despite allow_anonymous', async (t) => {
    const allow = pluginLine({
      basicAuth: ({ client }) => (client.id === 'ok' ? 'allow' : 'defer'),
    });
    const midge = await startInProcess(t, `allow_anonymous false\n${allow}`);
    assert.equal(await code(t, midge.port, { clientId: 'ok' }), 0);
    assert.equal(await code(t, midge.port, { clientId: 'other' }), 5);
  });

  test('async answers are waited for; packets sent meanwhile are kept', async (t) => {
    const slow = pluginLine({
      basicAuth: async ({ username }) => {
        await new Promise((r) => setTimeout(r, 50));
        return username === 'bob' ? 'allow' : 'deny';
      },
    });
    const midge = await startInProcess(t, `allow_anonymous false\n${slow}`);
    const c = await RawClient.connect(t, midge.port);
    c.send({
      cmd: 'connect',
      clientId: 'slow',
      protocolVersion: 4,
      protocolId: 'MQTT',
      keepalive: 0,
      username: 'bob',
    });
    c.send({ cmd: 'pingreq' });
    assert.equal((await c.expect('connack')).returnCode, 0);
    await c.expect('pingresp');
    assert.equal(await code(t, midge.port, login('eve')), 5);
  });
});

describe('plugins that fail are contained', () => {
  test('no answer in time: refused, logged, other clients served', async (t) => {
    const hang = pluginLine({
      basicAuth: ({ username }) =>
        username === 'stuck' ? new Promise<Decision>(() => {}) : 'allow',
    });
    const midge = await startInProcess(t, `allow_anonymous false\n${hang}`, {
      pluginTimeoutMs: 150,
    });
    const stuck = code(t, midge.port, login('stuck'));
    assert.equal(await code(t, midge.port, login('fine')), 0);
    assert.equal(await stuck, 5);
    assert.ok(midge.lines.some((l) => /basicAuth: gave no answer within 150 ms/.test(l)));
  });

  test('throwing, rejecting or answering nonsense refuses the request', async (t) => {
    const bad = pluginLine({
      basicAuth: ({ username }) => {
        if (username === 'throws') throw new Error('backend down');
        if (username === 'rejects') return Promise.reject(new Error('gone'));
        if (username === 'nonsense') return 'yes' as Decision;
        return 'allow';
      },
      aclCheck: ({ topic }) => {
        if (topic === 'boom') throw new Error('acl backend down');
        if (topic === 'later') return Promise.resolve('allow') as unknown as Decision;
        return 'allow';
      },
    });
    const midge = await startInProcess(t, `allow_anonymous false\n${bad}`);
    for (const user of ['throws', 'rejects', 'nonsense']) {
      assert.equal(await code(t, midge.port, login(user)), 5, user);
    }
    const c = await RawClient.session(t, midge.port, {
      ...login('ok'),
      protocolVersion: 5,
    });
    for (const topic of ['boom', 'later', 'fine']) {
      c.send({ cmd: 'publish', topic, payload: 'x', qos: 1, messageId: c.nextId() });
      const ack = await c.expect('puback');
      assert.equal(ack.reasonCode ?? 0, topic === 'fine' ? 0x10 : 0x87, topic);
    }
    const log = midge.lines.join('\n');
    assert.match(log, /basicAuth: backend down/);
    assert.match(log, /basicAuth: gone/);
    assert.match(log, /basicAuth: gave an answer it may not give: 'yes'/);
    assert.match(log, /aclCheck: acl backend down/);
    assert.match(log, /aclCheck: returned a Promise where an answer is needed at once/);
  });

  test('a plugin whose factory throws stops start-up', async (t) => {
    const broken = pluginLine(() => {
      throw new Error('no config file');
    });
    await assert.rejects(
      startInProcess(t, broken),
      /initialisation failed: Error: no config file/,
    );
  });
});

describe('access checks from plugins', () => {
  test('events carry the access, the full topic and the message', async (t) => {
    const seen: string[] = [];
    const acl = pluginLine({
      aclCheck: (e) => {
        seen.push(`${e.access} ${e.topic} ${e.payload?.toString() ?? '-'}`);
        return e.topic.endsWith('/no') ? 'deny' : 'allow';
      },
    });
    const midge = await startInProcess(t, `allow_anonymous true\n${acl}\nmount_point m/`);
    const c = await RawClient.session(t, midge.port, {
      clientId: 'a',
      protocolVersion: 5,
    });
    assert.deepEqual(
      await c.subscribe([
        { topic: 't/yes', qos: 1 },
        { topic: 't/no', qos: 1 },
      ]),
      [1, 0x87],
    );
    c.send({
      cmd: 'publish',
      topic: 't/yes',
      payload: 'hi',
      qos: 1,
      messageId: c.nextId(),
    });
    await c.expect('publish');
    assert.equal((await c.expect('puback')).reasonCode ?? 0, 0);
    c.send({ cmd: 'unsubscribe', messageId: c.nextId(), unsubscriptions: ['t/no'] });
    assert.deepEqual((await c.expect('unsuback')).granted, [0x87]);
    assert.deepEqual(seen, [
      'subscribe m/t/yes -',
      'subscribe m/t/no -',
      'write m/t/yes hi',
      'read m/t/yes hi',
      'unsubscribe m/t/no -',
    ]);
  });

  test('3.1.1 SUBACK says 0x80 for a refused filter', async (t) => {
    const acl = pluginLine({
      aclCheck: (e) => (e.access === 'subscribe' ? 'deny' : 'allow'),
    });
    const midge = await startInProcess(t, `allow_anonymous true\n${acl}`);
    const c = await RawClient.session(t, midge.port, { clientId: 'a' });
    assert.deepEqual(await c.subscribe('x', 1), [0x80]);
  });

  test('names with + or # are refused before the plugin is asked', async (t) => {
    let asked = 0;
    const factory: PluginFactory = () => ({
      aclCheck: () => {
        asked++;
        return 'allow';
      },
    });
    const strict = pluginLine(factory);
    const midge = await startInProcess(t, `allow_anonymous true\n${strict}`);
    const c = await RawClient.session(t, midge.port, {
      clientId: 'a+b',
      protocolVersion: 5,
    });
    c.send({ cmd: 'publish', topic: 't', payload: 'x', qos: 1, messageId: 1 });
    assert.equal((await c.expect('puback')).reasonCode, 0x87);
    assert.equal(asked, 0);
    assert.ok(
      midge.lines.includes('ACL denying access to client with dangerous client id "a+b"'),
    );
    const lax = pluginLine(factory);
    const other = await startInProcess(
      t,
      `allow_anonymous true\n${lax}\nauth_plugin_deny_special_chars false`,
    );
    const d = await RawClient.session(t, other.port, {
      clientId: 'a#b',
      protocolVersion: 5,
      ...login('u+'),
    });
    d.send({ cmd: 'publish', topic: 't', payload: 'x', qos: 1, messageId: 1 });
    assert.equal((await d.expect('puback')).reasonCode, 0x10);
    assert.equal(asked, 1);
  });
});

describe('enhanced authentication (5.0 AUTH)', () => {
  const challenge: MidgePlugin = {
    extendedAuthStart: ({ method, reauth }) => {
      if (method !== 'riddle') return { decision: 'defer' };
      return { decision: 'continue', data: Buffer.from(reauth ? 'again?' : 'what?') };
    },
    extendedAuthContinue: async ({ data }) =>
      data?.toString() === '42'
        ? { decision: 'allow', data: Buffer.from('ok') }
        : { decision: 'deny' },
  };

  async function riddle(t: TestContext, port: number, answer: string) {
    const c = await RawClient.connect(t, port, { version: 5 });
    c.send({
      cmd: 'connect',
      clientId: fresh('r'),
      protocolVersion: 5,
      protocolId: 'MQTT',
      keepalive: 0,
      properties: { authenticationMethod: 'riddle' },
    });
    const auth = await c.expect('auth');
    assert.equal(auth.reasonCode, 0x18);
    assert.equal(auth.properties?.authenticationData?.toString(), 'what?');
    c.send({
      cmd: 'auth',
      reasonCode: 0x18,
      properties: {
        authenticationMethod: 'riddle',
        authenticationData: Buffer.from(answer),
      },
    });
    return { c, connack: await c.expect('connack') };
  }

  test('a challenge and the right answer let the client in', async (t) => {
    const midge = await startInProcess(
      t,
      `allow_anonymous false\n${pluginLine(challenge)}`,
    );
    const { c, connack } = await riddle(t, midge.port, '42');
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.properties?.authenticationData?.toString(), 'ok');
    // Re-authentication on the live connection, then a wrong answer.
    c.send({
      cmd: 'auth',
      reasonCode: 0x19,
      properties: { authenticationMethod: 'riddle' },
    });
    assert.equal(
      (await c.expect('auth')).properties?.authenticationData?.toString(),
      'again?',
    );
    c.send({
      cmd: 'auth',
      reasonCode: 0x18,
      properties: {
        authenticationMethod: 'riddle',
        authenticationData: Buffer.from('41'),
      },
    });
    assert.equal((await c.expect('disconnect')).reasonCode, 0x87);
  });

  test('a wrong answer, or a method no plugin knows, is refused', async (t) => {
    const midge = await startInProcess(
      t,
      `allow_anonymous true\n${pluginLine(challenge)}`,
    );
    assert.equal((await riddle(t, midge.port, '7')).connack.reasonCode, 0x87);
    const c = await RawClient.session(t, midge.port, {
      protocolVersion: 5,
      clientId: 'x',
      properties: { authenticationMethod: 'SCRAM-SHA-1' },
      mustSucceed: false,
    });
    assert.equal(c.connack?.reasonCode, 0x8c);
  });
});
