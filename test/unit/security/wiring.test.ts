/**
 * The security layer wired into a broker, over in-memory connections:
 * usernames from TLS (transport identities), the broker's own bridges,
 * clientid_prefixes, wills checked when they are published, the
 * check_retain_source stand-in for a publisher that is gone, and the
 * per-listener allow_anonymous the broker applies without a hook.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import type { Broker, ListenerSettings } from '../../../src/broker/index.js';
import { MemoryClient, MemoryTransport } from '../../../src/broker/index.js';
import type { TransportIdentity } from '../../../src/broker/transport.js';
import { parseConfig } from '../../../src/config/index.js';
import { PacketType, ReasonCode } from '../../../src/protocol/index.js';
import { createSecurity } from '../../../src/security/index.js';
import { passwordLine } from '../../plugins/helpers.js';
import { tempDir } from '../../security/mosquitto.js';
import {
  captureLogger,
  connect,
  connected,
  connectPacket,
  listener,
  nextPublish,
  nothingMore,
  publish,
  startBroker,
  sub,
  subscribe,
} from '../broker/helpers.js';

const LISTENER = listener({ name: '1883' });

/** A broker with security from these config lines and files. */
async function secured(
  t: TestContext,
  lines: string,
  files: Record<string, string> = {},
): Promise<{ broker: Broker; reload(lines: string): Promise<void> }> {
  const dir = tempDir(t);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  const text = (body: string) => `listener 1883\n${body.replaceAll('{dir}', dir)}\n`;
  const log = captureLogger();
  const broker = startBroker({}, log);
  const security = await createSecurity(
    parseConfig(text(lines), 'test.conf'),
    broker,
    log,
  );
  t.after(() => security.close());
  return {
    broker,
    reload: (next) => security.reload(parseConfig(text(next), 'test.conf')),
  };
}

class IdentityTransport extends MemoryTransport {
  readonly identity: TransportIdentity;

  constructor(client: MemoryClient, identity: TransportIdentity) {
    super(client, '127.0.0.1', 50000);
    this.identity = identity;
  }
}

/** Connects with a CONNECT username and password the identity replaces. */
async function withIdentity(broker: Broker, identity: TransportIdentity) {
  const client = new MemoryClient();
  const transport = new IdentityTransport(client, identity);
  client.attach(transport);
  broker.accept(transport, LISTENER);
  client.send(
    connectPacket({ clientId: 'tls', username: 'alice', password: Buffer.from('pw') }),
  );
  const connack = await client.next();
  assert.equal(connack.type, PacketType.Connack);
  return { client, code: connack.type === PacketType.Connack ? connack.reasonCode : -1 };
}

const files = {
  passwd: passwordLine('alice', 'pw'),
  acl: 'user cert-user\ntopic readwrite cert/#\nuser alice\ntopic readwrite a/#\n',
};
const strict = 'allow_anonymous false\npassword_file {dir}/passwd\nacl_file {dir}/acl';

describe('usernames from TLS (transport identities)', () => {
  test('a checked identity needs no password; the ACL applies to it', async (t) => {
    const { broker } = await secured(t, strict, files);
    const identity = { username: 'cert-user', verified: true };
    const { client, code } = await withIdentity(broker, identity);
    assert.equal(code, ReasonCode.Success);
    assert.equal(broker.clients()[0]?.username, 'cert-user');
    assert.deepEqual(
      (await subscribe(client, [sub('cert/#'), sub('a/#')])).reasonCodes,
      [0, 0],
    );
    publish(client, 'cert/x', 'mine');
    assert.equal((await nextPublish(client)).topic, 'cert/x');
    publish(client, 'a/x', 'not mine');
    assert.equal(await nothingMore(client), undefined);
  });

  test('no identity where one is required: Bad User Name or Password', async (t) => {
    const { broker } = await secured(t, strict, files);
    const { code } = await withIdentity(broker, { username: undefined, verified: true });
    assert.equal(code, 4);
  });

  test('a name from a PROXY header is checked like a CONNECT username', async (t) => {
    const { broker } = await secured(t, strict, files);
    const { code } = await withIdentity(broker, { username: 'alice', verified: false });
    assert.equal(code, 5); // the CONNECT's password is not used
  });
});

describe("the broker's own bridges", () => {
  test('no credentials needed, no access checks', async (t) => {
    const { broker } = await secured(t, strict, files);
    const bridge: Partial<ListenerSettings> = { name: 'bridge', localBridge: true };
    const b = await connected(broker, 'bridge-local', 5, { listener: bridge });
    await subscribe(b, sub('anything/#'));
    publish(b, '$SYS/broker/connection/r/state', '1', { qos: 1 });
    const ack = await b.next();
    assert.equal(
      ack.type === PacketType.Puback && ack.reasonCode,
      ReasonCode.NoMatchingSubscribers,
    );
    publish(b, 'anything/x', 'y');
    assert.equal((await nextPublish(b)).topic, 'anything/x');
  });
});

describe('clientid_prefixes', () => {
  test('only ids with the prefix get in, enhanced auth included', async (t) => {
    const { broker } = await secured(t, 'allow_anonymous true\nclientid_prefixes ok-');
    assert.equal(
      (await connect(broker, { clientId: 'ok-1', listener: LISTENER })).connack
        .reasonCode,
      0,
    );
    const refused = await connect(broker, { clientId: 'bad', listener: LISTENER });
    assert.equal(refused.connack.reasonCode, 5);
    const v5 = await connect(broker, {
      clientId: 'bad',
      protocolVersion: 5,
      listener: LISTENER,
    });
    assert.equal(v5.connack.reasonCode, ReasonCode.NotAuthorized);
  });
});

describe('wills are checked when published', () => {
  const will = (topic: string) => ({
    topic,
    payload: Buffer.from('gone'),
    qos: 0 as const,
    retain: false,
  });

  test('a will the ACL allows goes out, one it forbids does not', async (t) => {
    const { broker } = await secured(t, strict, files);
    const alice = { username: 'alice', password: Buffer.from('pw'), listener: LISTENER };
    const w = await connected(broker, 'watch', 4, alice);
    await subscribe(w, sub('#'));
    const ok = await connected(broker, 'ok', 4, { ...alice, will: will('a/will') });
    const no = await connected(broker, 'no', 4, { ...alice, will: will('b/will') });
    no.close();
    ok.close();
    assert.equal((await nextPublish(w)).topic, 'a/will');
    assert.equal(await nothingMore(w), undefined);
  });

  test('a delayed will meets the rules of the time it is published', async (t) => {
    const env = await secured(t, strict, {
      ...files,
      acl2: 'user alice\ntopic read a/#\n',
    });
    const alice = { username: 'alice', password: Buffer.from('pw'), listener: LISTENER };
    const w = await connected(env.broker, 'watch', 4, alice);
    await subscribe(w, sub('a/#'));
    const c = await connected(env.broker, 'late', 5, {
      ...alice,
      will: { ...will('a/late'), properties: { willDelayInterval: 1 } },
      properties: { sessionExpiryInterval: 60 },
    });
    c.close();
    await env.reload(strict.replace('acl_file {dir}/acl', 'acl_file {dir}/acl2'));
    env.broker.sweep(Date.now() + 2000);
    assert.equal(await nothingMore(w), undefined);
  });
});

describe('check_retain_source', () => {
  test('a publisher whose session is gone is judged by the name it had', async (t) => {
    const acl2 = 'user alice\ntopic read a/#\n';
    const env = await secured(t, strict, { ...files, acl2 });
    const alice = { username: 'alice', password: Buffer.from('pw'), listener: LISTENER };
    const p = await connected(env.broker, 'pub', 4, alice);
    publish(p, 'a/kept', 'v', { retain: true, qos: 1 });
    await p.next();
    p.close();
    await new Promise((r) => setTimeout(r, 10));
    const reader = await connected(env.broker, 'reader', 4, alice);
    await subscribe(reader, sub('a/#'));
    assert.equal((await nextPublish(reader)).payload.toString(), 'v');
    await env.reload(strict.replace('acl_file {dir}/acl', 'acl_file {dir}/acl2'));
    const again = await connected(env.broker, 'reader2', 4, alice);
    await subscribe(again, sub('a/#'));
    assert.equal(await nothingMore(again), undefined);
  });
});

describe('per-listener allow_anonymous without a security hook', () => {
  test("the listener's setting wins over the broker's", async () => {
    const broker = startBroker({ allowAnonymous: false });
    const open = { name: 'open', allowAnonymous: true };
    const shut = { name: 'shut' };
    assert.equal(
      (await connect(broker, { clientId: 'a', listener: open })).connack.reasonCode,
      0,
    );
    assert.equal(
      (await connect(broker, { clientId: 'b', listener: shut })).connack.reasonCode,
      5,
    );
    // A zero-length username is no username.
    const empty = await connect(broker, { clientId: 'c', username: '', listener: shut });
    assert.equal(empty.connack.reasonCode, 5);
  });
});
