/**
 * persistence - crash: midge is killed with SIGKILL in the middle of QoS 1
 * and QoS 2 traffic to persistent sessions, again and again, and started
 * on the same folder each time. Every message acknowledged to its
 * publisher (PUBACK, or PUBREC for QoS 2) must reach both subscribers: at
 * least once at QoS 1, exactly once at QoS 2. Sessions must survive.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DurablePublisher, DurableSubscriber } from './durable-clients.js';
import { type Midge, newSite, startMidge } from './helpers.js';

const KILLS = 8;

async function until(what: string, done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('persistence - crash: nothing acknowledged is lost, QoS 2 arrives once', async (t) => {
  const site = await newSite(t);
  let midge: Midge = await startMidge(t, site);
  const subs = [
    new DurableSubscriber(site.port, 'sub-311', 4, 'crash/#'),
    new DurableSubscriber(site.port, 'sub-5', 5, 'crash/#'),
  ];
  const pub = new DurablePublisher(site.port, 'pub', 'crash/t', 20);
  const clients = [...subs, pub];
  t.after(() => {
    for (const c of clients) c.stop();
  });
  for (const s of subs) s.start();
  await until('subscribers', () => subs.every((s) => s.connected), 5000);
  await new Promise((r) => setTimeout(r, 100));
  pub.start();

  const openAtKill: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    const before = pub.acknowledged.size;
    await until('traffic', () => pub.acknowledged.size > before + 50, 10_000);
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
    openAtKill.push(pub.open);
    await midge.stop('SIGKILL');
    midge = await startMidge(t, site);
  }
  pub.finish();
  await until('the publisher to finish its flows', () => pub.open === 0, 15_000);
  const acked = [...pub.acknowledged];
  await until(
    'every acknowledged message at both subscribers',
    () => subs.every((s) => acked.every((p) => s.received.has(p))),
    15_000,
  );
  // Time for a duplicate to show up, if one were coming.
  await new Promise((r) => setTimeout(r, 300));

  assert.ok(acked.length > KILLS * 50, `only ${acked.length} messages acknowledged`);
  assert.ok(
    openAtKill.every((n) => n > 0),
    `flows open at each kill: ${openAtKill.join(' ')}`,
  );
  for (const c of clients)
    assert.equal(c.lostSessions, 0, `${c.clientId} lost its session`);
  for (const s of subs) {
    const twice = acked.filter((p) => p.startsWith('q2-') && s.received.get(p) !== 1);
    assert.deepEqual(
      twice,
      [],
      `${s.clientId}: QoS 2 messages not delivered exactly once`,
    );
    const unknown = [...s.received.keys()].filter((p) => !pub.sent.has(p));
    assert.deepEqual(unknown, [], `${s.clientId}: messages nobody sent`);
  }
  for (const c of clients) c.stop();
  await midge.stop('SIGTERM');
});
