/**
 * The filters the server granted, remembered with their options so that a
 * reconnect which found no session can subscribe to them again; and the
 * shaping of SUBACK/UNSUBACK into results.
 */
import {
  type QoS,
  ReasonCode,
  type SubackPacket,
  type SubscribePacket,
  type UnsubackPacket,
  type UnsubscribePacket,
} from '../protocol/index.js';
import type {
  GrantedSubscription,
  SubscribeResult,
  UnsubscribeResult,
} from './client-types.js';

export class Subscriptions {
  readonly #active = new Map<string, SubscribePacket>();

  /** The result of `suback`; granted filters are remembered. */
  granted(packet: SubscribePacket, suback: SubackPacket): SubscribeResult {
    const granted = packet.subscriptions.map((sub, i) => {
      const reasonCode = suback.reasonCodes[i] ?? ReasonCode.UnspecifiedError;
      const entry: GrantedSubscription = { topic: sub.topicFilter, reasonCode };
      if (reasonCode < 0x80) {
        entry.qos = reasonCode as QoS;
        this.#active.set(sub.topicFilter, { ...packet, subscriptions: [sub] });
      }
      return entry;
    });
    const result: SubscribeResult = { packetId: suback.packetId, granted };
    if (suback.properties) result.properties = suback.properties;
    return result;
  }

  /** The result of `unsuback`; the filters are forgotten. */
  removed(packet: UnsubscribePacket, unsuback: UnsubackPacket): UnsubscribeResult {
    for (const filter of packet.topicFilters) this.#active.delete(filter);
    // 3.x UNSUBACK has no codes: each filter reads Success.
    const reasonCodes =
      unsuback.reasonCodes ?? packet.topicFilters.map(() => ReasonCode.Success);
    const result: UnsubscribeResult = { packetId: unsuback.packetId, reasonCodes };
    if (unsuback.properties) result.properties = unsuback.properties;
    return result;
  }

  /** One fresh SUBSCRIBE per remembered filter. */
  packets(): SubscribePacket[] {
    return [...this.#active.values()].map((p) => ({ ...p, packetId: 0 }));
  }

  clear(): void {
    this.#active.clear();
  }
}
