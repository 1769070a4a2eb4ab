/**
 * Retained-message storm: one client stores many retained messages (QoS 1,
 * one per topic, all sent at once), then several clients subscribe to a
 * wildcard covering them all at the same moment and receive every one.
 * Two figures: how fast the broker stores them, how fast it hands them out.
 */
import { Counter } from '../gen/counters.js';
import type { PublisherReport } from '../gen/protocol.js';
import { rateMeter } from './clock.js';
import { Flow } from './flow.js';
import { range } from './messaging.js';
import type { Context, Figure, Outcome, Scenario } from './types.js';

const figures: Omit<Figure, 'value'>[] = [
  { metric: 'stored', unit: 'msg/s', better: 'higher' },
  { metric: 'delivered', unit: 'msg/s', better: 'higher' },
];

const now = () => performance.timeOrigin + performance.now();

async function run(ctx: Context): Promise<Outcome> {
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
    const timer = setInterval(() => ctx.status('store', 0.3, meter()), 100);
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
    ctx.status('subscribe', 0.6);
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
    features: { persistence: false },
    figures,
    run,
  };
}
