/**
 * Message-flow scenarios: 1->1 at each QoS and payload size, fan-in,
 * fan-out, independent pairs, many topics under wildcard filters, latency
 * at a fixed rate, and throughput with persistence on.
 */
import type { QoS } from '../../protocol/index.js';
import { Flow, type Topology } from './flow.js';
import type { Context, Figure, Outcome, Scenario } from './types.js';

const noFeatures = { persistence: false, retained: false, inflight: 0 };

const deliveredFigure: Omit<Figure, 'value'> = {
  metric: 'delivered',
  unit: 'msg/s',
  better: 'higher',
};

function sizeName(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024}KB` : `${bytes}B`;
}

/** Runs a topology open loop and reports the delivered rate. */
export async function throughput(ctx: Context, topo: Topology): Promise<Outcome> {
  const flow = new Flow(ctx, topo);
  try {
    await flow.open();
    const w = await flow.run();
    const pubs = await flow.stop();
    const check = await flow.drain(pubs);
    const payload = topo.publishers[0]!.payload;
    return {
      figures: [{ ...deliveredFigure, value: w.delivered }],
      integrity: check.integrity,
      brokerCpu: w.brokerCpu,
      brokerSystemCpu: w.brokerSystemCpu,
      generatorBusy: w.generatorBusy,
      brokerPeakRssKiB: flow.peakRssKiB,
      load: w.load,
      extra: {
        publishedPerSecond: w.sent,
        ackedPerSecond: w.acked,
        deliveredMBps: (w.delivered * payload) / 1e6,
      },
      errors: check.errors,
    };
  } finally {
    await flow.close();
  }
}

function flowScenario(
  id: string,
  title: string,
  build: (prefix: string) => Topology,
): Scenario {
  return {
    id,
    title,
    kind: 'throughput',
    features: noFeatures,
    figures: [deliveredFigure],
    run: (ctx) => throughput(ctx, build(ctx.prefix)),
  };
}

export function oneToOne(qos: QoS, payload: number): Scenario {
  return flowScenario(
    `1to1-q${qos}-${sizeName(payload)}`,
    `1->1, QoS ${qos}, ${sizeName(payload)} payload`,
    (prefix) => ({
      publishers: [{ topics: [`${prefix}/t`], qos, payload }],
      subscribers: [{ filters: [`${prefix}/t`], qos }],
    }),
  );
}

export function fanIn(n: number, qos: QoS): Scenario {
  return flowScenario(`fan-in-q${qos}`, `fan-in ${n}->1, QoS ${qos}, 16B`, (prefix) => ({
    publishers: range(n).map((i) => ({
      topics: [`${prefix}/in/${i}`],
      qos,
      payload: 16,
    })),
    subscribers: [{ filters: [`${prefix}/in/+`], qos }],
  }));
}

export function fanOut(n: number, qos: QoS): Scenario {
  return flowScenario(
    `fan-out-q${qos}`,
    `fan-out 1->${n}, QoS ${qos}, 16B`,
    (prefix) => ({
      publishers: [{ topics: [`${prefix}/out`], qos, payload: 16 }],
      subscribers: range(n).map(() => ({ filters: [`${prefix}/out`], qos })),
    }),
  );
}

export function pairs(n: number, qos: QoS): Scenario {
  return flowScenario(`pairs-q${qos}`, `${n} pairs 1->1, QoS ${qos}, 16B`, (prefix) => ({
    publishers: range(n).map((i) => ({ topics: [`${prefix}/p/${i}`], qos, payload: 16 })),
    subscribers: range(n).map((i) => ({ filters: [`${prefix}/p/${i}`], qos })),
  }));
}

/**
 * 1000 topics in 10 groups, 4 publishers cycling through them; one
 * subscriber per group (`+`), one for all (`#`), and 10 whose filters
 * match nothing but still sit in the tree the broker must walk.
 */
export function wildcards(): Scenario {
  const groups = 10;
  const perGroup = 100;
  const publishers = 4;
  return flowScenario(
    'wildcards',
    `${groups * perGroup} topics, ${groups + 1} wildcard subscribers, QoS 0, 16B`,
    (prefix) => {
      const topics = range(groups * perGroup).map(
        (i) => `${prefix}/w/${Math.floor(i / perGroup)}/${i % perGroup}`,
      );
      const share = topics.length / publishers;
      return {
        publishers: range(publishers).map((p) => ({
          topics: topics.slice(p * share, (p + 1) * share),
          qos: 0,
          payload: 16,
        })),
        subscribers: [
          ...range(groups).map((g) => ({
            filters: [`${prefix}/w/${g}/+`],
            qos: 0 as QoS,
          })),
          { filters: [`${prefix}/w/#`], qos: 0 },
          ...range(groups).map((g) => ({
            filters: [`${prefix}/x/${g}/#`, `${prefix}/w/+/none${g}`],
            qos: 0 as QoS,
          })),
        ],
      };
    },
  );
}

const latencyFigures = ['p50', 'p99', 'p99.9', 'max'].map((metric) => ({
  metric,
  unit: 'µs',
  better: 'lower' as const,
}));

export function latency(qos: QoS, rate: number): Scenario {
  return {
    id: `latency-q${qos}`,
    title: `latency 1->1 at ${rate.toLocaleString('en')} msg/s, QoS ${qos}, 16B`,
    kind: 'latency',
    features: noFeatures,
    figures: latencyFigures,
    run: async (ctx) => {
      const flow = new Flow(ctx, {
        publishers: [{ topics: [`${ctx.prefix}/l`], qos, payload: 16, rate }],
        subscribers: [{ filters: [`${ctx.prefix}/l`], qos, latency: true }],
        oneWorker: true,
        warmup: ctx.settings.latencyWarmup,
      });
      try {
        await flow.open();
        const record = async (on: boolean) => {
          await ctx.pool.call(0, { cmd: 'record', on });
        };
        const w = await flow.run(record);
        const pubs = await flow.stop();
        const check = await flow.drain(pubs);
        const h = check.histogram;
        const at = (p: number) => (h && h.total > 0 ? h.percentile(p) : null);
        const values = [at(50), at(99), at(99.9), h && h.total > 0 ? h.max : null];
        return {
          figures: latencyFigures.map((f, i) => ({ ...f, value: values[i]! })),
          integrity: check.integrity,
          brokerCpu: w.brokerCpu,
          generatorBusy: w.generatorBusy,
          brokerPeakRssKiB: flow.peakRssKiB,
          load: w.load,
          extra: { deliveredPerSecond: w.delivered, samples: h?.total ?? 0 },
          errors: check.errors,
        };
      } finally {
        await flow.close();
      }
    },
  };
}

/**
 * 1->1 QoS 1 with `depth` messages in flight: the publisher's window and
 * every broker's max_inflight_messages. A broker whose bookkeeping costs
 * more per message as more are unacknowledged (a linear search per
 * acknowledgement) slows down here; constant-time bookkeeping does not.
 */
export function inflightDepth(depth: number): Scenario {
  return {
    ...flowScenario(
      `inflight-q1-${depth}`,
      `1->1, QoS 1, 16B, ${depth.toLocaleString('en')} in flight`,
      (prefix) => ({
        publishers: [{ topics: [`${prefix}/f`], qos: 1, payload: 16, window: depth }],
        subscribers: [{ filters: [`${prefix}/f`], qos: 1 }],
      }),
    ),
    features: { persistence: false, retained: false, inflight: depth },
  };
}

/** 1->1 QoS 1 between persistent sessions, with the broker's persistence on. */
export function persistent(): Scenario {
  return {
    ...flowScenario('persistence-q1', '1->1, QoS 1, 16B, persistence on', (prefix) => ({
      publishers: [{ topics: [`${prefix}/d`], qos: 1, payload: 16 }],
      subscribers: [{ filters: [`${prefix}/d`], qos: 1 }],
      persistent: true,
    })),
    kind: 'persistence',
    features: { persistence: true, retained: false, inflight: 0 },
  };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
