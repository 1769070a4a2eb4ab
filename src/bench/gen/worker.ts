/**
 * A generator worker thread: owns a share of the clients of a scenario
 * and runs them on command from the runner. Live counts go through the
 * shared counters; full reports come back as replies.
 */
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Histogram } from '../hdr.js';
import { ConnectionStorm, IdleFleet } from './conn-load.js';
import { Counters } from './counters.js';
import type {
  Command,
  ConnReport,
  DrainReport,
  PublisherReport,
  Reply,
} from './protocol.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';

const { counters: sharedCounters, index } = workerData as {
  counters: SharedArrayBuffer;
  index: number;
};
const counters = new Counters(sharedCounters, index).row;

let publishers: Publisher[] = [];
let subscribers: Subscriber[] = [];
let storm: ConnectionStorm | null = null;
let fleet: IdleFleet | null = null;
let eluMark: EventLoopUtilization = performance.eventLoopUtilization();

async function open(command: Extract<Command, { cmd: 'open' }>): Promise<void> {
  const { port, version, clean } = command;
  const endpoint = { port, version, clean, counters };
  subscribers = command.subscribers.map((spec) => new Subscriber(spec, endpoint));
  await Promise.all(
    subscribers.map(async (s) => {
      await s.handshake();
      if (command.subscribe) await s.subscribe(s.spec.filters, s.spec.qos);
    }),
  );
  publishers = command.publishers.map((spec) => new Publisher(spec, endpoint));
  await Promise.all(publishers.map((p) => p.handshake()));
}

/** Sends every SUBSCRIBE; returns the wall-clock time they went out. */
async function subscribe(): Promise<number> {
  const at = performance.timeOrigin + performance.now();
  await Promise.all(subscribers.map((s) => s.subscribe(s.spec.filters, s.spec.qos)));
  return at;
}

function publisherReports(): PublisherReport[] {
  return publishers.map((p) => ({
    clientId: p.spec.clientId,
    publisher: p.spec.publisher,
    sent: p.sent,
    acked: p.acked,
    strayAcks: p.strayAcks,
    sentPerTopic: Array.from(p.sentPerTopic),
    error: p.error,
  }));
}

async function drain(command: Extract<Command, { cmd: 'drain' }>): Promise<DrainReport> {
  const started = Date.now();
  let last = -1;
  let lastChange = started;
  for (;;) {
    const complete = subscribers.every(
      (s) => s.closed || s.distinct() >= (command.expected[s.spec.clientId] ?? 0),
    );
    const received = subscribers.reduce((n, s) => n + s.received, 0);
    const now = Date.now();
    if (received !== last) lastChange = now;
    last = received;
    if (complete || now - lastChange >= command.quietMs) break;
    if (now - started >= command.maxMs) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  let histogram: Histogram | null = null;
  for (const s of subscribers) {
    if (s.histogram === null) continue;
    histogram ??= new Histogram(s.histogram.precision);
    histogram.merge(s.histogram);
  }
  return {
    subscribers: subscribers.map((s) => s.report()),
    histogram: histogram?.toJSON() ?? null,
  };
}

async function close(): Promise<void> {
  const all = [...publishers, ...subscribers];
  publishers = [];
  subscribers = [];
  await Promise.all(all.map((c) => c.disconnect()));
}

function connReport(c: ConnectionStorm | IdleFleet | null): ConnReport {
  if (c === null) return { completed: 0, failed: 0, open: 0, firstError: null };
  const completed = c instanceof ConnectionStorm ? c.completed : 0;
  const open = c instanceof IdleFleet ? c.open : 0;
  return { completed, failed: c.failed, open, firstError: c.firstError };
}

async function run(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'open':
      return open(command);
    case 'subscribe':
      return subscribe();
    case 'start':
      for (const p of publishers) p.start();
      return null;
    case 'record':
      for (const s of subscribers) s.recording = command.on;
      return null;
    case 'elu': {
      const since = performance.eventLoopUtilization(eluMark);
      eluMark = performance.eventLoopUtilization();
      return since.utilization;
    }
    case 'finish':
      await Promise.all(publishers.map((p) => p.whenIdle(command.timeoutMs)));
      return { at: performance.timeOrigin + performance.now(), pubs: publisherReports() };
    case 'stop':
      await Promise.all(publishers.map((p) => p.stop(command.timeoutMs)));
      return publisherReports();
    case 'drain':
      return drain(command);
    case 'close':
      return close();
    case 'storm-start':
      storm = new ConnectionStorm({ ...command, counters });
      storm.start();
      return null;
    case 'storm-stop': {
      await storm?.stop();
      const report = connReport(storm);
      storm = null;
      return report;
    }
    case 'idle-open':
      fleet ??= new IdleFleet({ ...command, counters });
      await fleet.grow(command.count);
      return connReport(fleet);
    case 'idle-close':
      fleet?.close();
      fleet = null;
      return null;
  }
}

parentPort!.on('message', async (message: { id: number; command: Command }) => {
  let reply: Reply;
  try {
    reply = { id: message.id, ok: true, result: await run(message.command) };
  } catch (error) {
    reply = { id: message.id, ok: false, error: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
