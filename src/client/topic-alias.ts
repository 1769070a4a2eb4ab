/**
 * Topic aliases (MQTT 5, 3.3.2.3.4). Mappings live for one network
 * connection only [MQTT-3.3.2-7]: both tables are reset on every connect.
 */
import type { PublishPacket } from '../protocol/index.js';
import { UsageError } from './errors.js';

/** Aliases this client gives its outgoing topics. */
export class OutgoingAliases {
  #max = 0;
  #auto = false;
  #byTopic = new Map<string, number>();
  #byAlias: Array<string | undefined> = [];
  #next = 1;

  /** `max` is the server's topicAliasMaximum from CONNACK. */
  reset(max: number, auto: boolean): void {
    this.#max = max;
    this.#auto = auto;
    this.#byTopic.clear();
    this.#byAlias = [];
    this.#next = 1;
  }

  /** The topic an alias stands for on this connection. */
  topicOf(alias: number): string | undefined {
    return this.#byAlias[alias];
  }

  /**
   * The packet as it goes on the wire: the topic left out when the server
   * already knows its alias. Throws TOPIC_ALIAS_INVALID for an alias the
   * server does not allow [MQTT-3.3.2-9] [MQTT-3.3.2-8].
   */
  apply(p: PublishPacket): PublishPacket {
    const requested = p.properties?.topicAlias;
    if (requested !== undefined) return this.#applyManual(p, requested);
    if (!this.#auto || this.#max === 0) return p;
    const known = this.#byTopic.get(p.topic);
    if (known !== undefined) {
      return { ...p, topic: '', properties: { ...p.properties, topicAlias: known } };
    }
    // LIMIT(feature): the first topicAliasMaximum topics keep their aliases
    // for the whole connection; later topics get none (no LRU eviction).
    if (this.#next > this.#max) return p;
    const alias = this.#next++;
    this.#set(alias, p.topic);
    return { ...p, properties: { ...p.properties, topicAlias: alias } };
  }

  /** Undoes the mapping `wire` would have set (it was never sent). */
  forget(wire: PublishPacket): void {
    const alias = wire.properties?.topicAlias;
    if (alias === undefined || wire.topic === '') return;
    if (this.#byAlias[alias] !== wire.topic) return;
    this.#byAlias[alias] = undefined;
    this.#byTopic.delete(wire.topic);
  }

  #applyManual(p: PublishPacket, alias: number): PublishPacket {
    if (alias < 1 || alias > this.#max) {
      throw new UsageError(
        'TOPIC_ALIAS_INVALID',
        `topic alias ${alias} outside 1..${this.#max} allowed by the server`,
      );
    }
    if (this.#byAlias[alias] === p.topic) return { ...p, topic: '' };
    this.#set(alias, p.topic);
    return p;
  }

  #set(alias: number, topic: string): void {
    const old = this.#byAlias[alias];
    if (old !== undefined) this.#byTopic.delete(old);
    this.#byAlias[alias] = topic;
    this.#byTopic.set(topic, alias);
  }
}

/** Aliases the server gives topics it sends to this client. */
export class IncomingAliases {
  #max = 0;
  #topics: Array<string | undefined> = [];

  /** `max` is this client's topicAliasMaximum from CONNECT. */
  reset(max: number): void {
    this.#max = max;
    this.#topics = [];
  }

  /**
   * Fills in the topic of an aliased PUBLISH, or records a new alias.
   * Returns 'range' for an alias over the maximum [MQTT-3.3.2-10] or 0
   * [MQTT-3.3.2-8], 'unknown' for an empty topic with an unset alias.
   */
  resolve(packet: PublishPacket): 'ok' | 'range' | 'unknown' {
    const alias = packet.properties?.topicAlias;
    if (alias === undefined) return 'ok';
    if (alias === 0 || alias > this.#max) return 'range';
    if (packet.topic.length > 0) {
      this.#topics[alias] = packet.topic;
      return 'ok';
    }
    const topic = this.#topics[alias];
    if (topic === undefined) return 'unknown';
    packet.topic = topic;
    return 'ok';
  }
}
