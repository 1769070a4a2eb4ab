/**
 * Test helpers: a broker with a silent (or capturing) logger, and MQTT
 * clients over the in-memory transport.
 */
import { after } from 'node:test';
import {
  Broker,
  type BrokerOptions,
  createMemoryPair,
  defaultListenerSettings,
  type ListenerSettings,
  type MemoryClient,
} from '../../../src/broker/index.js';
import { type Logger, LogType } from '../../../src/log/log-types.js';
import {
  type ConnackPacket,
  type ConnectPacket,
  type Packet,
  PacketType,
  type Properties,
  type ProtocolVersion,
  type PublishPacket,
  type QoS,
  type SubackPacket,
  type Subscription,
} from '../../../src/protocol/index.js';
import { CaptureLog } from '../../helpers/capture-log.js';

/** A logger keeping the lines of the types in `mask`. */
export function captureLogger(mask: number = LogType.All): CaptureLog {
  return new CaptureLog(mask);
}

/** A broker closed when the test file ends. */
export function startBroker(
  options: Partial<BrokerOptions> = {},
  logger?: Logger,
): Broker {
  const broker = new Broker(options, logger);
  after(() => broker.close());
  return broker;
}

const made = new WeakSet<object>();

/**
 * Listener settings with defaults filled in. Whole settings pass through
 * as they are, so sockets given the same object share one listener.
 */
export function listener(settings: Partial<ListenerSettings> = {}): ListenerSettings {
  if (made.has(settings)) return settings as ListenerSettings;
  const whole = { ...defaultListenerSettings, ...settings };
  made.add(whole);
  return whole;
}

/** A raw connection to the broker, nothing sent yet. */
export function open(broker: Broker, settings?: Partial<ListenerSettings>): MemoryClient {
  const { transport, client } = createMemoryPair();
  broker.accept(transport, listener(settings));
  return client;
}

export interface ConnectOptions extends Partial<Omit<ConnectPacket, 'type'>> {
  listener?: Partial<ListenerSettings>;
}

export function connectPacket(o: ConnectOptions = {}): ConnectPacket {
  const version = o.protocolVersion ?? 4;
  const p: ConnectPacket = {
    type: PacketType.Connect,
    protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
    protocolVersion: version,
    bridge: false,
    clean: o.clean ?? true,
    keepAlive: o.keepAlive ?? 60,
    clientId: o.clientId ?? 'c1',
  };
  if (o.username !== undefined) p.username = o.username;
  if (o.password !== undefined) p.password = o.password;
  if (o.will !== undefined) p.will = o.will;
  if (o.properties !== undefined) p.properties = o.properties;
  return p;
}

/** Connects and returns the client with its CONNACK. */
export async function connect(
  broker: Broker,
  o: ConnectOptions = {},
): Promise<{ client: MemoryClient; connack: ConnackPacket }> {
  const client = open(broker, o.listener);
  client.send(connectPacket(o));
  const connack = (await client.next()) as ConnackPacket;
  if (connack.type !== PacketType.Connack) throw new Error('expected CONNACK');
  return { client, connack };
}

/** Connects and insists on success. */
export async function connected(
  broker: Broker,
  clientId: string,
  version: ProtocolVersion = 4,
  o: ConnectOptions = {},
): Promise<MemoryClient> {
  const { client, connack } = await connect(broker, {
    clientId,
    protocolVersion: version,
    ...o,
  });
  if (connack.reasonCode !== 0) throw new Error(`CONNACK ${connack.reasonCode}`);
  return client;
}

export function sub(
  topicFilter: string,
  qos: QoS = 0,
  o: Partial<Subscription> = {},
): Subscription {
  return {
    topicFilter,
    qos,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0,
    ...o,
  };
}

export async function subscribe(
  client: MemoryClient,
  subs: Subscription | Subscription[],
  packetId = 1,
  properties?: Properties,
): Promise<SubackPacket> {
  const subscriptions = Array.isArray(subs) ? subs : [subs];
  client.send({ type: PacketType.Subscribe, packetId, subscriptions, properties });
  const suback = await client.next();
  if (suback.type !== PacketType.Suback)
    throw new Error(`expected SUBACK, got ${suback.type}`);
  return suback;
}

export function publish(
  client: MemoryClient,
  topic: string,
  payload: string | Buffer,
  o: Partial<Omit<PublishPacket, 'type' | 'topic' | 'payload'>> = {},
): void {
  const qos = o.qos ?? 0;
  client.send({
    type: PacketType.Publish,
    dup: o.dup ?? false,
    qos,
    retain: o.retain ?? false,
    topic,
    packetId: qos > 0 ? (o.packetId ?? 1) : undefined,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    properties: o.properties,
  });
}

export async function nextPublish(client: MemoryClient): Promise<PublishPacket> {
  const p = await client.next();
  if (p.type !== PacketType.Publish) throw new Error(`expected PUBLISH, got ${p.type}`);
  return p;
}

/** Lets pending callbacks run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Asserts nothing arrives within a short while. */
export async function nothingMore(
  client: MemoryClient,
  ms = 20,
): Promise<Packet | undefined> {
  await new Promise((r) => setTimeout(r, ms));
  return client.received[0];
}
