/**
 * Retained-message storm: one client stores many retained messages (QoS 1,
 * one per topic, all sent at once), then several clients subscribe to a
 * wildcard covering them all at the same moment and receive every one.
 * Two figures: how fast the broker stores them, how fast it hands them out.
 *
 * Like every other scenario it is measured warm: for the warm-up time
 * (`--warmup`), whole storms (store, subscribe, deliver, disconnect) run
 * on their own topics first, at least one; their messages stay stored
 * beside the measured ones. The storing rate of the very first storm, on
 * a fresh broker, is a third figure, shown but not held to a target.
 */
import { Counter } from '../gen/counters.js';
import type { PublisherReport } from '../gen/protocol.js';
import { emptyIntegrity, type Integrity } from '../gen/seq-tracker.js';
import { rateMeter } from './clock.js';
import { Flow } from './flow.js';
import { range } from './messaging.js';
import type { Context, Figure, Outcome, Scenario } from './types.js';

const figures: Omit<Figure, 'value'>[] = [
  { metric: 'stored', unit: 'msg/s', better: 'higher' },
  { metric: 'delivered', unit: 'msg/s', better: 'higher' },
  // The first storm of a fresh broker: for Node, code not yet optimised.
  { metric: 'stored, first storm', unit: 'msg/s', better: 'higher', informational: true },
];

const now = () => performance.timeOrigin + performance.now();

async function run(ctx: Context): Promise<Outcome> {
  const errors: string[] = [];
  // Every message of every storm is accounted for, as in other scenarios.
  const integrity = emptyIntegrity();
  let firstStored: number | null = null;
  let rounds = 0;
  const started = performance.now();
  const warmupMs = ctx.settings.warmup * 1000;
  while (warmupMs > 0 && (rounds === 0 || performance.now() - started < warmupMs)) {
    rounds++;
    const warm = await storm({ ...ctx, prefix: `${ctx.prefix}w${rounds}` }, 'warm-up ');
    if (rounds === 1) firstStored = warm.figures[0]!.value;
    errors.push(...warm.errors.map((e) => `warm-up storm ${rounds}: ${e}`));
    if (warm.integrity) addIntegrity(integrity, warm.integrity);
  }
  const outcome = await storm(ctx, '');
  outcome.errors.unshift(...errors);
  if (outcome.integrity) addIntegrity(integrity, outcome.integrity);
  outcome.integrity = integrity;
  outcome.extra = { ...outcome.extra, warmupStorms: rounds };
  // Without a warm-up the measured storm was the first.
  const first = rounds === 0 ? outcome.figures[0]!.value : firstStored;
  outcome.figures.push({ ...figures[2]!, value: first });
  return outcome;
}

function addIntegrity(to: Integrity, from: Integrity): void {
  to.expected += from.expected;
  to.delivered += from.delivered;
  to.lost += from.lost;
  to.duplicates += from.duplicates;
  to.reordered += from.reordered;
  to.unexpected += from.unexpected;
}

/** One storm; `phase` prefixes the status lines. */
async function storm(ctx: Context, phase: string): Promise<Outcome> {
  const { retained: count, retainedSubscribers: subs, drainMs } = ctx.settings;
  const topics = range(count).map(
    (i) => `${ctx.prefix}/r/${Math.floor(i / 100)}/${i % 100}`,
  );
  const flow = new Flow(ctx, {
    publishers: [
      {
        topics,
        qos: 1,
        payload: 16,
        count,
        retain: true,
        rate: 0,
        window: Math.min(count, 65535),
      },
    ],
    subscribers: range(subs).map(() => ({ filters: [`${ctx.prefix}/r/#`], qos: 0 })),
    // One worker: the subscribe time and the receive times share a clock.
    oneWorker: true,
  });
  try {
    await flow.open(false);
    const meter = rateMeter(() => ctx.pool.total(Counter.Acked), 'stored/s');
    const timer = setInterval(() => ctx.status(`${phase}store`, 0.3, meter()), 100);
    const load = ctx.meter();
    load.begin();
    const storeStart = now();
    await ctx.pool.call(0, { cmd: 'start' });
    const finish = await ctx.pool.call<{ at: number; pubs: PublisherReport[] }>(0, {
      cmd: 'finish',
      timeoutMs: drainMs,
    });
    clearInterval(timer);
    const acked = finish.pubs.reduce((n, p) => n + p.acked, 0);
    ctx.status(`${phase}subscribe`, 0.6);
    const subscribedAt = await ctx.pool.call<number>(0, { cmd: 'subscribe' });
    const check = await flow.drain(finish.pubs);
    const lastAt = Math.max(...check.subscribers.map((s) => s.lastAt));
    const report = load.end();
    const errors = [...check.errors];
    if (acked < count)
      errors.push(`only ${acked} of ${count} retained messages acknowledged`);
    return {
      figures: [
        {
          ...figures[0]!,
          value: acked === count ? (count * 1000) / (finish.at - storeStart) : null,
        },
        {
          ...figures[1]!,
          value: (check.integrity.delivered * 1000) / (lastAt - subscribedAt),
        },
      ],
      integrity: check.integrity,
      brokerPeakRssKiB: ctx.broker.rssKiB(),
      load: report,
      extra: { retained: count, subscribers: subs },
      errors,
    };
  } finally {
    await flow.close();
  }
}

export function retainedStorm(count: number, subscribers: number): Scenario {
  return {
    id: 'retained-storm',
    title:
      `retained storm: ${count.toLocaleString('en')} stored, ` +
      `${subscribers} subscribers`,
    kind: 'throughput',
    features: { persistence: false, retained: true, inflight: 0 },
    figures,
    run,
  };
}
