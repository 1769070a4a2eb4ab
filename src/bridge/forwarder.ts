/**
 * Moves messages across a bridge, both ways, with their topics remapped.
 *
 * Local to remote: a message the local broker delivers is acknowledged to
 * it only once the remote broker has acknowledged it (PUBACK, or PUBCOMP
 * for QoS 2). Until then it is "held": on the local session it is still in
 * flight, so a lost remote connection loses nothing. When the remote comes
 * back, held messages go out again first, in the order they came, then the
 * local broker sends what it queued meanwhile.
 *
 * With a persistent remote session the clients of successive connections
 * share one ClientSession: a message handed to it stays in flight there
 * across a lost connection, and the next client resends it as MQTT asks
 * (PUBLISH with DUP, or PUBREL) rather than the bridge publishing it anew,
 * which would make QoS 2 "at least once". Only what was never handed over
 * is sent when the remote comes back.
 *
 * Remote to local: the client library acknowledges the remote at once and
 * the message is published on the local session; the shared session
 * remembers QoS 2 identifiers until PUBREL, so a message the remote sends
 * again after a reconnect is not published twice.
 */
import type { Message, MqttClient } from '../client/index.js';
import { PublishError, UsageError } from '../client/index.js';
import type { BridgeConfig } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import {
  encode,
  PacketType,
  type Properties,
  type ProtocolVersion,
  type PublishPacket,
  type QoS,
} from '../protocol/index.js';
import type { LocalLink } from './local-link.js';
import type { TopicMap } from './topic-map.js';

/**
 * What a bridge keeps for a remote that is down: nothing (clean local
 * session), QoS 1/2 messages (persistent), or everything (lazy bridges,
 * which count messages to decide when to connect).
 */
export type KeepMode = 'none' | 'qos12' | 'all';

/** What the remote's CONNACK allows. */
interface RemoteLimits {
  maxQos: QoS;
  retain: boolean;
}

/** The 5.0 properties a message keeps when it crosses the bridge. */
function carriedProperties(props: Properties | undefined): Properties | undefined {
  if (props === undefined) return undefined;
  const out: Properties = {};
  if (props.payloadFormatIndicator !== undefined) {
    out.payloadFormatIndicator = props.payloadFormatIndicator;
  }
  if (props.messageExpiryInterval !== undefined) {
    out.messageExpiryInterval = props.messageExpiryInterval;
  }
  if (props.contentType !== undefined) out.contentType = props.contentType;
  if (props.responseTopic !== undefined) out.responseTopic = props.responseTopic;
  if (props.correlationData !== undefined) out.correlationData = props.correlationData;
  if (props.userProperties !== undefined) out.userProperties = props.userProperties;
  return Object.keys(out).length === 0 ? undefined : out;
}

export class Forwarder {
  readonly #config: BridgeConfig;
  readonly #map: TopicMap;
  readonly #link: LocalLink;
  readonly #log: Logger;
  readonly #version: ProtocolVersion;
  /** QoS 0 messages kept for a lazy bridge that is down, at most this many. */
  readonly #qos0Limit: number;
  /** Messages delivered by the local broker and not yet acknowledged to it. */
  readonly #held = new Set<PublishPacket>();
  /** Held messages handed to a shared session, which resends them itself. */
  readonly #inSession = new Set<PublishPacket>();
  #client: MqttClient | null = null;
  #limits: RemoteLimits = { maxQos: 2, retain: true };
  /** When a message last crossed the bridge, for idle_timeout. */
  lastActivity = Date.now();

  constructor(
    config: BridgeConfig,
    map: TopicMap,
    link: LocalLink,
    log: Logger,
    version: ProtocolVersion,
    qos0Limit: number,
  ) {
    this.#config = config;
    this.#map = map;
    this.#link = link;
    this.#log = log;
    this.#version = version;
    this.#qos0Limit = qos0Limit;
  }

  /** Messages waiting for the remote, for a lazy bridge's threshold. */
  get heldCount(): number {
    return this.#held.size;
  }

  /** The remote is connected: send what is held, then whatever comes. */
  attach(client: MqttClient): void {
    const props = client.connectResult?.properties;
    this.#limits = {
      maxQos: (props?.maximumQoS ?? 2) as QoS,
      retain: props?.retainAvailable !== 0,
    };
    this.#client = client;
    this.lastActivity = Date.now();
    for (const packet of this.#held) {
      if (!this.#inSession.has(packet)) this.#send(client, packet);
    }
  }

  /**
   * The remote is gone. A bridge with a clean local session keeps nothing
   * for it, as Mosquitto's `local_cleansession true`.
   */
  detach(keep: boolean): void {
    this.#client = null;
    if (keep) return;
    for (const packet of this.#held) this.#done(packet);
  }

  /**
   * The local session was lost: what was held is still in flight there
   * and the broker sends it again on the next local connection.
   */
  forgetHeld(): void {
    this.#held.clear();
    this.#inSession.clear();
  }

  /** Takes a message from the local broker. */
  fromLocal(packet: PublishPacket, mode: KeepMode): void {
    const client = this.#client;
    if (client === null) {
      const keep =
        packet.qos > 0
          ? mode !== 'none'
          : mode === 'all' && this.#qos0Kept() < this.#qos0Limit;
      if (keep) this.#held.add(packet);
      else this.#link.ack(packet);
      return;
    }
    this.#held.add(packet);
    this.#send(client, packet);
  }

  /** Takes a message from the remote broker. */
  fromRemote(message: Message): void {
    this.lastActivity = Date.now();
    if (!this.#link.connected) {
      this.#warn(`dropped a message on ${message.topic}: no local session`);
      return;
    }
    const topic = this.#map.toLocal(message.topic);
    const props = carriedProperties(message.properties);
    this.#link
      .publish(topic, message.payload, message.qos, message.retain, props)
      .catch(() => this.#warn(`could not deliver a message on ${topic} locally`));
  }

  #qos0Kept(): number {
    let n = 0;
    for (const packet of this.#held) if (packet.qos === 0) n++;
    return n;
  }

  #send(client: MqttClient, packet: PublishPacket): void {
    this.lastActivity = Date.now();
    const topic = this.#map.toRemote(packet.topic);
    const qos = Math.min(packet.qos, this.#limits.maxQos) as QoS;
    const retain = packet.retain && this.#config.outgoingRetain && this.#limits.retain;
    const properties =
      this.#version === 5 ? carriedProperties(packet.properties) : undefined;
    if (this.#tooLarge(topic, packet.payload, qos, properties)) {
      this.#warn(`dropped a message on ${topic}: over bridge_max_packet_size`);
      this.#done(packet);
      return;
    }
    const options =
      properties === undefined ? { qos, retain } : { qos, retain, properties };
    if (client.options.session !== undefined) this.#inSession.add(packet);
    client.publish(topic, packet.payload, options).then(
      () => this.#done(packet),
      (error: Error) => this.#failed(packet, error),
    );
  }

  #tooLarge(topic: string, payload: Buffer, qos: QoS, props?: Properties): boolean {
    const max = this.#config.maxPacketSize;
    if (max === 0) return false;
    const packet: PublishPacket = {
      type: PacketType.Publish,
      dup: false,
      qos,
      retain: false,
      topic,
      payload,
      ...(qos > 0 ? { packetId: 1 } : {}),
      ...(props === undefined ? {} : { properties: props }),
    };
    return encode(packet, this.#version).length > max;
  }

  #failed(packet: PublishPacket, error: Error): void {
    // The remote refused the message (PUBACK with a failure code) or it
    // cannot be sent to this remote at all: drop it, whichever client of
    // a shared session heard so. Any other failure is a lost connection
    // (or a session ended): the message stays held for the next one.
    this.#inSession.delete(packet);
    const refused = error instanceof PublishError || error instanceof UsageError;
    if (!refused || !this.#held.has(packet)) return;
    this.#warn(`dropped a message on ${packet.topic}: ${error.message}`);
    this.#done(packet);
  }

  /** The message is dealt with: release it on the local session. */
  #done(packet: PublishPacket): void {
    this.#inSession.delete(packet);
    if (!this.#held.delete(packet)) return;
    this.#link.ack(packet);
  }

  #warn(text: string): void {
    if (this.#log.mask & LogType.Warning) {
      this.#log.write(LogType.Warning, `Warning: Bridge ${this.#config.name} ${text}.`);
    }
  }
}
