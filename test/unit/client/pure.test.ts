/**
 * The pure parts: packet identifiers, SRV ordering, proxy URLs, backoff
 * is in reconnect.test.ts.
 */
import assert from 'node:assert/strict';
import type { SrvRecord } from 'node:dns';
import { test } from 'node:test';
import { parseProxyUrl } from '../../../src/client/index.js';
import { PacketIds } from '../../../src/client/packet-ids.js';
import { orderRecords } from '../../../src/client/transport/srv.js';

test('packet ids - never 0, never in use, not reused at once', () => {
  const ids = new PacketIds();
  assert.equal(ids.allocate(), 1);
  assert.equal(ids.allocate(), 2);
  ids.release(1);
  assert.equal(ids.allocate(), 3);
  for (let i = 4; i <= 65535; i++) ids.allocate();
  // 1 is the only free one now; the cursor wraps past 65535 and skips 0.
  assert.equal(ids.allocate(), 1);
  assert.equal(ids.inUse, 65535);
  assert.equal(ids.allocate(), 0);
  ids.release(40000);
  assert.equal(ids.allocate(), 40000);
});

test('srv - lowest priority first, weight decides within a priority', () => {
  const rec = (name: string, priority: number, weight: number): SrvRecord => ({
    name,
    port: 1,
    priority,
    weight,
  });
  const records = [rec('c', 20, 0), rec('a', 10, 1), rec('b', 10, 3)];
  // random() * total(4): 0.5 * 4 = 2 falls in b's share (1..4).
  const order = orderRecords(records, () => 0.5).map((r) => r.name);
  assert.deepEqual(order, ['b', 'a', 'c']);
  const low = orderRecords(records, () => 0).map((r) => r.name);
  assert.deepEqual(low, ['a', 'b', 'c']);
});

test('proxy url - socks5h with credentials, default port 1080', () => {
  assert.deepEqual(parseProxyUrl('socks5h://us%3Aer:p%40ss@proxy.test'), {
    host: 'proxy.test',
    port: 1080,
    remoteDns: true,
    username: 'us:er',
    password: 'p@ss',
  });
  assert.deepEqual(parseProxyUrl('socks5://[::1]:9050'), {
    host: '::1',
    port: 9050,
    remoteDns: false,
  });
  for (const bad of ['http://proxy:8080', 'not a url', 'socks4://x']) {
    assert.throws(() => parseProxyUrl(bad), { code: 'INVALID_OPTION' }, bad);
  }
});
