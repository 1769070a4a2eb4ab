/**
 * Connection scenarios. The storm measures completed CONNECT/CONNACK
 * exchanges per second with many clients connecting, disconnecting and
 * connecting again. The idle scenario holds many connections open and
 * reads the broker's resident memory before and after: the growth divided
 * by the connections is the memory one idle client costs.
 */
import { openFileLimit } from '../brokers/proc.js';
import { Counter } from '../gen/counters.js';
import type { ConnReport } from '../gen/protocol.js';
import type { LoadReport } from '../load-meter.js';
import { rateMeter, sleep, waitShowing } from './clock.js';
import type { Context, Figure, Outcome, Scenario } from './types.js';

const stormFigure: Omit<Figure, 'value'> = {
  metric: 'connections',
  unit: 'conn/s',
  better: 'higher',
};

async function storm(ctx: Context): Promise<Outcome> {
  const { pool, broker, settings } = ctx;
  const perWorker = Math.max(1, Math.ceil(settings.stormConcurrency / pool.size));
  await pool.all((w) => ({
    cmd: 'storm-start',
    port: broker.port,
    version: settings.version,
    concurrency: perWorker,
    prefix: `${ctx.prefix}-w${w}-c`,
  }));
  const span = { offset: 0, total: settings.warmup + settings.duration };
  const meter = rateMeter(() => pool.total(Counter.Connected), 'conn/s');
  let reports: ConnReport[] = [];
  const load = ctx.meter();
  let report: LoadReport | undefined;
  let first = { at: 0, n: 0, cpu: 0 };
  let last = first;
  const snap = () => ({
    at: performance.now(),
    n: pool.total(Counter.Connected),
    cpu: broker.cpuSeconds(),
  });
  try {
    await waitShowing(ctx, 'warm-up', settings.warmup, span, meter);
    await pool.all({ cmd: 'elu' });
    load.begin();
    first = snap();
    span.offset = settings.warmup;
    await waitShowing(ctx, 'measure', settings.duration, span, meter);
    last = snap();
    report = load.end();
  } finally {
    reports = await pool.all<ConnReport>({ cmd: 'storm-stop' });
  }
  const busy = await pool.all<number>({ cmd: 'elu' });
  const seconds = (last.at - first.at) / 1000;
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  const errors = reports.flatMap((r) => (r.firstError ? [r.firstError] : []));
  if (failed > 0) errors.unshift(`${failed} connections failed`);
  return {
    figures: [{ ...stormFigure, value: (last.n - first.n) / seconds }],
    brokerCpu: (last.cpu - first.cpu) / seconds,
    generatorBusy: Math.max(...busy),
    brokerPeakRssKiB: broker.rssKiB(),
    load: report,
    extra: { concurrency: perWorker * pool.size, failed },
    errors,
  };
}

export function connectionStorm(concurrency: number): Scenario {
  return {
    id: 'conn-storm',
    title: `connection storm, ${concurrency} connecting at once`,
    kind: 'connections',
    features: { persistence: false, retained: false, inflight: 0 },
    figures: [stormFigure],
    run: storm,
  };
}

const idleFigure: Omit<Figure, 'value'> = {
  metric: 'memory',
  unit: 'KiB/conn',
  better: 'lower',
};

/** Connections opened before the baseline, so one-off setup costs drop out. */
const warmConnections = 100;
const fdMargin = 256;

async function openIdle(ctx: Context, count: number): Promise<ConnReport[]> {
  const { pool, broker, settings } = ctx;
  const share = (w: number) =>
    Math.floor(count / pool.size) + (w < count % pool.size ? 1 : 0);
  return pool.all<ConnReport>((w) => ({
    cmd: 'idle-open',
    port: broker.port,
    version: settings.version,
    count: share(w),
    concurrency: 100,
    prefix: `${ctx.prefix}-w${w}-i`,
  }));
}

async function idle(ctx: Context): Promise<Outcome> {
  const { pool, broker, settings } = ctx;
  const count = settings.idle;
  const limit = openFileLimit();
  if (count + warmConnections + fdMargin > limit) {
    const need = count + warmConnections + fdMargin;
    const note = `${count} connections need ulimit -n above ${need} (now ${limit})`;
    return { figures: [{ ...idleFigure, value: null, note }], errors: [note] };
  }
  try {
    await openIdle(ctx, warmConnections);
    await sleep(settings.settleMs / 2);
    const before = broker.rssKiB();
    const opened = pool.total(Counter.Connected);
    const timer = setInterval(() => {
      const done = pool.total(Counter.Connected) - opened;
      ctx.status('connect', done / count, `${done.toLocaleString('en')} open`);
    }, 100);
    const reports = await openIdle(ctx, count).finally(() => clearInterval(timer));
    ctx.status('settle', 1);
    await sleep(settings.settleMs);
    const after = broker.rssKiB();
    const open = reports.reduce((n, r) => n + r.open, 0) - warmConnections;
    const failed = reports.reduce((n, r) => n + r.failed, 0);
    const errors = reports.flatMap((r) => (r.firstError ? [r.firstError] : []));
    if (failed > 0) errors.unshift(`${failed} connections failed`);
    const value = open > 0 ? (after - before) / open : null;
    return {
      figures: [{ ...idleFigure, value }],
      brokerPeakRssKiB: after,
      extra: { connections: open, rssBeforeKiB: before, rssAfterKiB: after, failed },
      errors,
    };
  } finally {
    await pool.all({ cmd: 'idle-close' });
  }
}

export function idleConnections(count: number): Scenario {
  return {
    id: 'idle-conns',
    title: `${count.toLocaleString('en')} idle connections: broker memory each`,
    kind: 'memory',
    features: { persistence: false, retained: false, inflight: 0 },
    figures: [idleFigure],
    run: idle,
  };
}
