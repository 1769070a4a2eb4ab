/** Messages between the runner and a generator worker. */
import type { ProtocolVersion } from '../../protocol/index.js';
import type { Histogram } from '../hdr.js';
import type { PublisherSpec } from './publisher.js';
import type { SubscriberReport, SubscriberSpec } from './subscriber.js';

export interface Endpoint {
  port: number;
  version: ProtocolVersion;
}

export type Command =
  | (Endpoint & {
      cmd: 'open';
      publishers: PublisherSpec[];
      subscribers: SubscriberSpec[];
      /** false: connect subscribers now, subscribe on a later 'subscribe'. */
      subscribe: boolean;
      /** false: persistent sessions. */
      clean: boolean;
    })
  | { cmd: 'subscribe' }
  | { cmd: 'start' }
  | { cmd: 'record'; on: boolean }
  | { cmd: 'elu' }
  | { cmd: 'finish'; timeoutMs: number }
  | { cmd: 'stop'; timeoutMs: number }
  | { cmd: 'drain'; expected: Record<string, number>; quietMs: number; maxMs: number }
  | { cmd: 'close' }
  | (Endpoint & { cmd: 'storm-start'; concurrency: number; prefix: string })
  | { cmd: 'storm-stop' }
  | (Endpoint & { cmd: 'idle-open'; count: number; concurrency: number; prefix: string })
  | { cmd: 'idle-close' };

export interface PublisherReport {
  clientId: string;
  publisher: number;
  sent: number;
  acked: number;
  strayAcks: number;
  /** Sent per local topic index. */
  sentPerTopic: number[];
  error: string | null;
}

export interface DrainReport {
  subscribers: SubscriberReport[];
  histogram: ReturnType<Histogram['toJSON']> | null;
}

export interface ConnReport {
  completed: number;
  failed: number;
  open: number;
  firstError: string | null;
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };
