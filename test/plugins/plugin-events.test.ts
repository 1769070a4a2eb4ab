/**
 * The plugin events besides authentication: message (change or drop),
 * subscribe, the notifications, tick, reload, TLS-PSK keys, control
 * topics, and what a plugin may do to the broker.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  MidgePlugin,
  PluginBroker,
  PluginContext,
  ReloadEvent,
} from '../../src/plugins/index.js';
import { RawClient } from '../helpers/raw-client.js';
import { startInProcess } from '../security/in-process.js';
import { fresh, pluginLine } from './helpers.js';

function session(t: Parameters<typeof RawClient.session>[0], port: number, version = 5) {
  return RawClient.session(t, port, {
    clientId: fresh('e'),
    protocolVersion: version as 4 | 5,
  });
}

describe('message event', () => {
  test('a plugin changes topic, payload, QoS, retain and properties', async (t) => {
    const line = pluginLine({
      message: (m) =>
        m.topic === 'in/raw'
          ? {
              topic: 'out/cooked',
              payload: m.payload.toString().toUpperCase(),
              qos: 1,
              retain: true,
              properties: { userProperties: [['by', 'plugin']] },
            }
          : undefined,
    });
    const midge = await startInProcess(t, `allow_anonymous true\n${line}`);
    const sub = await session(t, midge.port);
    await sub.subscribe('out/#', 2);
    const pub = await session(t, midge.port);
    pub.send({ cmd: 'publish', topic: 'in/raw', payload: 'abc', qos: 0 });
    const got = await sub.expect('publish');
    assert.equal(got.topic, 'out/cooked');
    assert.equal(got.payload.toString(), 'ABC');
    assert.equal(got.qos, 1);
    assert.equal(got.properties?.userProperties?.by, 'plugin');
    // It was retained under the new topic.
    const late = await session(t, midge.port);
    await late.subscribe('out/cooked', 0);
    assert.equal((await late.expect('publish')).retain, true);
  });

  test("'deny', a bad topic or a throw drop the message", async (t) => {
    const line = pluginLine({
      message: (m) => {
        if (m.topic === 'drop') return 'deny';
        if (m.topic === 'wild') return { topic: 'a/#' };
        if (m.topic === 'control') return { topic: '$CONTROL/x/v1' };
        if (m.topic === 'boom') throw new Error('broken filter');
        return undefined;
      },
    });
    const midge = await startInProcess(t, `allow_anonymous true\n${line}`);
    const sub = await session(t, midge.port);
    await sub.subscribe([
      { topic: '#', qos: 0 },
      { topic: '$CONTROL/#', qos: 0 },
    ]);
    const pub = await session(t, midge.port);
    for (const topic of ['drop', 'wild', 'control', 'boom']) {
      pub.send({ cmd: 'publish', topic, payload: 'x', qos: 1, messageId: pub.nextId() });
      assert.equal((await pub.expect('puback')).reasonCode, 0x87, topic);
    }
    pub.send({ cmd: 'publish', topic: 'kept', payload: 'x', qos: 1, messageId: 9 });
    assert.equal((await sub.expect('publish')).topic, 'kept');
    await sub.expectNothing(100);
    assert.ok(midge.lines.some((l) => l.includes('message: broken filter')));
  });
});

describe('subscribe, unsubscribe, connect and disconnect events', () => {
  test('a plugin lowers the QoS, rewrites a filter or refuses', async (t) => {
    const events: string[] = [];
    const line = pluginLine({
      subscribe: (s) => {
        events.push(`sub ${s.filter} ${s.group} ${s.qos}`);
        if (s.filter === 'no') return 'deny';
        if (s.filter === 'old') return { filter: 'new' };
        return { qos: 0 };
      },
      unsubscribe: (u) => {
        events.push(`unsub ${u.filter}`);
      },
      connect: ({ client }) => {
        events.push(`connect ${client.id}`);
      },
      disconnect: ({ client }) => {
        events.push(`disconnect ${client.id}`);
      },
    });
    const midge = await startInProcess(t, `allow_anonymous true\n${line}`);
    const c = await RawClient.session(t, midge.port, {
      clientId: 'ev',
      protocolVersion: 5,
    });
    const granted = await c.subscribe([
      { topic: 'a', qos: 2 },
      { topic: 'no', qos: 1 },
      { topic: '$share/g/old', qos: 1 },
    ]);
    assert.deepEqual(granted, [0, 0x87, 1]);
    c.send({ cmd: 'publish', topic: 'new', payload: 'via rewritten filter', qos: 0 });
    assert.equal((await c.expect('publish')).payload.toString(), 'via rewritten filter');
    c.send({ cmd: 'unsubscribe', messageId: 7, unsubscriptions: ['a'] });
    await c.expect('unsuback');
    c.close();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(events, [
      'connect ev',
      'sub a  2',
      'sub no  1',
      'sub old g 1',
      'unsub a',
      'disconnect ev',
    ]);
  });
});

describe('tick, reload and PSK keys', () => {
  test('tick runs; reload passes the new options', async (t) => {
    let ticks = 0;
    const reloads: ReloadEvent[] = [];
    const line = pluginLine({
      tick: () => {
        ticks++;
      },
      reload: (e) => {
        reloads.push(e);
      },
    });
    const midge = await startInProcess(t, `${line}\nplugin_opt_level 1`, {
      tickIntervalMs: 20,
    });
    // Two ticks come soon (at 20 ms each); a busy machine may take longer.
    const deadline = Date.now() + 3000;
    while (ticks < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(ticks >= 2, `ticks: ${ticks}`);
    await midge.reload(`${line}\nplugin_opt_level 2\nplugin_opt_level_more x`);
    assert.deepEqual(reloads[0]?.options, [
      ['level', '2'],
      ['level_more', 'x'],
    ]);
  });

  test('PSK keys: plugins first, then the psk_file', async (t) => {
    const line = pluginLine({
      pskKey: ({ identity }) => {
        if (identity === 'from-plugin') return 'abcd';
        if (identity === 'blocked') return 'deny';
        return undefined;
      },
    });
    const midge = await startInProcess(t, `${line}\npsk_file {dir}/psk`, {
      files: { psk: 'from-file:0102\nblocked:0303\n' },
    });
    const name = String(midge.port);
    assert.deepEqual(
      midge.security.pskKey(name, 'from-plugin'),
      Buffer.from('abcd', 'hex'),
    );
    assert.deepEqual(
      midge.security.pskKey(name, 'from-file'),
      Buffer.from('0102', 'hex'),
    );
    assert.equal(midge.security.pskKey(name, 'blocked'), undefined);
    assert.equal(midge.security.pskKey(name, 'nobody'), undefined);
  });
});

describe('control topics ($CONTROL/<feature>/v1)', () => {
  const handled: string[] = [];
  const plugin = (ctx: PluginContext): MidgePlugin => ({
    control: {
      '$CONTROL/demo/v1': (e) => {
        handled.push(`${e.client.id} ${e.payload.toString()} q${e.qos}`);
        const text = e.payload.toString();
        if (text === 'bad') return 'Payload not valid';
        ctx.broker.publish({ topic: '$CONTROL/demo/v1/response', payload: `ok ${text}` });
        return undefined;
      },
    },
  });

  test('diverted to the handler, acked, never delivered or retained', async (t) => {
    const midge = await startInProcess(t, `allow_anonymous true\n${pluginLine(plugin)}`);
    const watcher = await session(t, midge.port);
    await watcher.subscribe([
      { topic: '#', qos: 0 },
      { topic: '$CONTROL/#', qos: 0 },
    ]);
    const c = await RawClient.session(t, midge.port, {
      clientId: 'ctl',
      protocolVersion: 5,
    });
    c.send({
      cmd: 'publish',
      topic: '$CONTROL/demo/v1',
      payload: 'one',
      qos: 1,
      messageId: 1,
    });
    const ack = await c.expect('puback');
    assert.equal(ack.reasonCode ?? 0, 0);
    const response = await watcher.expect('publish');
    assert.equal(response.topic, '$CONTROL/demo/v1/response');
    assert.equal(response.payload.toString(), 'ok one');
    // A failed request: still success, with the error as Reason String.
    c.send({
      cmd: 'publish',
      topic: '$CONTROL/demo/v1',
      payload: 'bad',
      qos: 1,
      messageId: 2,
    });
    const failed = await c.expect('puback');
    assert.equal(failed.reasonCode ?? 0, 0);
    assert.equal(failed.properties?.reasonString, 'Payload not valid');
    // QoS 2, retained, and a topic nobody handles: consumed all the same.
    c.send({
      cmd: 'publish',
      topic: '$CONTROL/demo/v1',
      payload: 'two',
      qos: 2,
      messageId: 3,
      retain: true,
    });
    assert.equal((await c.expect('pubrec')).reasonCode ?? 0, 0);
    c.send({ cmd: 'pubrel', messageId: 3 });
    await c.expect('pubcomp');
    assert.equal((await watcher.expect('publish')).payload.toString(), 'ok two');
    c.send({
      cmd: 'publish',
      topic: '$CONTROL/other/v1',
      payload: 'x',
      qos: 1,
      messageId: 4,
    });
    assert.equal((await c.expect('puback')).reasonCode ?? 0, 0);
    await watcher.expectNothing(100);
    const late = await session(t, midge.port);
    await late.subscribe('$CONTROL/#', 0);
    await late.expectNothing(100);
    assert.deepEqual(handled, ['ctl one q1', 'ctl bad q1', 'ctl two q2']);
  });

  test('3.1.1 publishers; behind a mount point it is an ordinary topic', async (t) => {
    handled.length = 0;
    const midge = await startInProcess(
      t,
      [
        'allow_anonymous true',
        pluginLine(plugin),
        'listener {port2} 127.0.0.1',
        'mount_point m/',
      ].join('\n'),
      { extraPorts: ['port2'] },
    );
    const c = await RawClient.session(t, midge.port, { clientId: 'v4' });
    c.send({
      cmd: 'publish',
      topic: '$CONTROL/demo/v1',
      payload: 'v4',
      qos: 1,
      messageId: 1,
    });
    await c.expect('puback');
    // The topic becomes m/$CONTROL/demo/v1, which no handler serves.
    const mounted = await RawClient.session(t, midge.ports.port2 as number, {
      clientId: 'mp',
    });
    await mounted.subscribe('$CONTROL/demo/v1', 0);
    mounted.send({ cmd: 'publish', topic: '$CONTROL/demo/v1', payload: 'mp', qos: 0 });
    assert.equal((await mounted.expect('publish')).payload.toString(), 'mp');
    assert.deepEqual(handled, ['v4 v4 q1']);
  });
});

describe('what plugins may do to the broker', () => {
  test('list and disconnect clients, publish as the broker', async (t) => {
    let broker: PluginBroker | undefined;
    const line = pluginLine((ctx) => {
      broker = ctx.broker;
      return {};
    });
    const midge = await startInProcess(t, `allow_anonymous true\n${line}`);
    const a = await RawClient.session(t, midge.port, {
      clientId: 'a',
      username: 'u',
      protocolVersion: 5,
    });
    const b = await RawClient.session(t, midge.port, { clientId: 'b', username: 'u' });
    const c = await RawClient.session(t, midge.port, { clientId: 'c' });
    await c.subscribe('news', 0);
    const ids = (broker as PluginBroker).clients().map((x) => `${x.id}:${x.username}`);
    assert.deepEqual(ids.sort(), ['a:u', 'b:u', 'c:undefined']);
    assert.equal((broker as PluginBroker).publish({ topic: 'news', payload: 'hi' }), 1);
    assert.equal((await c.expect('publish')).payload.toString(), 'hi');
    assert.throws(() => (broker as PluginBroker).publish({ topic: 'a/#', payload: '' }));
    assert.equal((broker as PluginBroker).disconnectUsername('u'), 2);
    assert.equal((await a.expect('disconnect')).reasonCode, 0x87);
    await b.expectClosed();
    assert.equal((broker as PluginBroker).disconnectClient('c'), true);
    assert.equal((broker as PluginBroker).disconnectClient('c'), false);
  });
});
