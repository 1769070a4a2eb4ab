/**
 * Topic mapping of a bridge, from its `topic` lines:
 *
 *   topic <pattern> [in|out|both [<qos> [<local-prefix> <remote-prefix>]]]
 *
 * The local side subscribes to `local-prefix + pattern`, the remote side to
 * `remote-prefix + pattern`. A message going out loses the local prefix and
 * gains the remote one; a message coming in the other way round. An empty
 * pattern (`""`) maps one topic: the local prefix to the remote prefix.
 *
 * As in Mosquitto, the first `topic` line whose filter matches decides;
 * a topic no line matches, or one matched by a line without prefixes,
 * passes unchanged.
 */
import type { BridgeDirection, BridgeTopic } from '../config/types.js';
import { type QoS, topicMatches } from '../protocol/index.js';

/** One `topic` line, with the filters each side subscribes to. */
export interface TopicRoute {
  direction: BridgeDirection;
  qos: QoS;
  localPrefix: string;
  remotePrefix: string;
  /** Filter on the local broker: local prefix + pattern. */
  localFilter: string;
  /** Filter on the remote broker: remote prefix + pattern. */
  remoteFilter: string;
}

export class TopicMap {
  readonly routes: readonly TopicRoute[];
  readonly #outgoing: readonly TopicRoute[];
  readonly #incoming: readonly TopicRoute[];

  constructor(topics: readonly BridgeTopic[]) {
    this.routes = topics.map(toRoute);
    this.#outgoing = this.routes.filter((r) => r.direction !== 'in');
    this.#incoming = this.routes.filter((r) => r.direction !== 'out');
  }

  /** Routes the bridge subscribes to locally (out and both). */
  get outgoing(): readonly TopicRoute[] {
    return this.#outgoing;
  }

  /** Routes the bridge subscribes to on the remote (in and both). */
  get incoming(): readonly TopicRoute[] {
    return this.#incoming;
  }

  /** The remote topic of a message the local broker sent the bridge. */
  toRemote(topic: string): string {
    for (const route of this.#outgoing) {
      if (!topicMatches(route.localFilter, topic)) continue;
      return swapPrefix(topic, route.localPrefix, route.remotePrefix);
    }
    return topic;
  }

  /** The local topic of a message the remote broker sent the bridge. */
  toLocal(topic: string): string {
    for (const route of this.#incoming) {
      if (!topicMatches(route.remoteFilter, topic)) continue;
      return swapPrefix(topic, route.remotePrefix, route.localPrefix);
    }
    return topic;
  }
}

function toRoute(topic: BridgeTopic): TopicRoute {
  const localPrefix = topic.localPrefix ?? '';
  const remotePrefix = topic.remotePrefix ?? '';
  return {
    direction: topic.direction,
    qos: topic.qos,
    localPrefix,
    remotePrefix,
    localFilter: localPrefix + topic.pattern,
    remoteFilter: remotePrefix + topic.pattern,
  };
}

function swapPrefix(topic: string, from: string, to: string): string {
  const rest = from !== '' && topic.startsWith(from) ? topic.slice(from.length) : topic;
  return to + rest;
}
