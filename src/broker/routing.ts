/**
 * Routing one message: store it if retained, find the matching
 * subscriptions in the tree, and hand one copy to each session. A session
 * with overlapping subscriptions gets a single copy at the highest granted
 * QoS carrying every matching Subscription Identifier, as Mosquitto 2.0
 * does (allow_duplicate_messages false) [MQTT-3.3.4-2] [MQTT-3.3.4-3].
 */
import type { QoS } from '../protocol/index.js';
import type { BrokerCore } from './core.js';
import { deliver } from './delivery.js';
import { AclAccess, type AclHook } from './hooks.js';
import { ownPayload, type StoredMessage } from './message.js';
import type { Session, SubscriptionRecord } from './session.js';
import type { MatchSink } from './topic-tree.js';

/**
 * The sessions one message goes to, merged per session. The router keeps
 * one and reuses its arrays from message to message: entries are written
 * over by index and counted, never pushed to or truncated, which costs a
 * runtime call per array.
 */
class Matches implements MatchSink {
  readonly sessions: Array<Session | undefined> = [];
  readonly qos: QoS[] = [];
  readonly retainAsPublished: boolean[] = [];
  readonly ids: Array<number[] | undefined> = [];
  readonly sharedSessions: Array<Session | undefined> = [];
  readonly sharedSubs: Array<SubscriptionRecord | undefined> = [];
  /** Entries in use in the first three arrays, and in the shared ones. */
  size = 0;
  sharedSize = 0;
  #seq = 0;
  #origin = '';

  /** Starts over for the message numbered `seq`, from `origin`. */
  start(seq: number, origin: string): void {
    this.#seq = seq;
    this.#origin = origin;
  }

  /** Lets go of the message's sessions, so that none is kept alive here. */
  finish(): void {
    for (let i = 0; i < this.size; i++) {
      this.sessions[i] = undefined;
      this.ids[i] = undefined;
    }
    for (let i = 0; i < this.sharedSize; i++) {
      this.sharedSessions[i] = undefined;
      this.sharedSubs[i] = undefined;
    }
    this.size = 0;
    this.sharedSize = 0;
  }

  add(session: Session, sub: SubscriptionRecord): void {
    // No Local: not back to the publisher's own session [MQTT-3.8.3-3].
    if (sub.noLocal && session.clientId === this.#origin) return;
    if (session.matchSeq === this.#seq) {
      const i = session.matchIndex;
      if (sub.qos > (this.qos[i] as QoS)) this.qos[i] = sub.qos;
      if (sub.retainAsPublished) this.retainAsPublished[i] = true;
      if (sub.identifier !== 0) {
        const ids = this.ids[i];
        if (ids === undefined) this.ids[i] = [sub.identifier];
        else ids.push(sub.identifier);
      }
      return;
    }
    const i = this.size++;
    session.matchSeq = this.#seq;
    session.matchIndex = i;
    this.sessions[i] = session;
    this.qos[i] = sub.qos;
    this.retainAsPublished[i] = sub.retainAsPublished;
    this.ids[i] = sub.identifier !== 0 ? [sub.identifier] : undefined;
  }

  addShared(session: Session, sub: SubscriptionRecord): void {
    const i = this.sharedSize++;
    this.sharedSessions[i] = session;
    this.sharedSubs[i] = sub;
  }
}

/**
 * The read access check, made when a message is handed to a session, as
 * Mosquitto does. LIMIT(security): a session restored without client
 * details (no connection since the restore) is not checked.
 */
function mayRead(acl: AclHook, session: Session, msg: StoredMessage, qos: QoS): boolean {
  const client = session.client;
  return (
    client === undefined ||
    acl(client, msg.topic, AclAccess.Read, qos, msg.retain, msg.payload)
  );
}

export class Router {
  readonly #core: BrokerCore;
  #seq = 0;
  /** Reused per message; null while a route is under way. */
  #spare: Matches | null = new Matches();

  constructor(core: BrokerCore) {
    this.#core = core;
  }

  /**
   * Stores a retained message and delivers to every matching session.
   * Returns the number of sessions the message went to.
   */
  route(msg: StoredMessage): number {
    if (msg.retain && this.#core.options.retainAvailable) this.#retain(msg);
    // 0 is what a session that never matched holds: never a message number.
    this.#seq = (this.#seq + 1) | 0 || 1;
    // A delivery may route another message (a will, from a plugin) before
    // this one is done: that one gets a Matches of its own.
    const m = this.#spare ?? new Matches();
    this.#spare = null;
    m.start(this.#seq, msg.origin);
    try {
      this.#core.tree.match(msg.topic, m);
      return this.#deliverAll(msg, m);
    } finally {
      m.finish();
      this.#spare = m;
    }
  }

  #deliverAll(msg: StoredMessage, m: Matches): number {
    const upgrade = this.#core.options.upgradeOutgoingQos;
    const acl = this.#core.hooks.checkAcl;
    const n = m.size;
    for (let i = 0; i < n; i++) {
      const subQos = m.qos[i] as QoS;
      const qos = upgrade || subQos < msg.qos ? subQos : msg.qos;
      if (acl !== undefined && !mayRead(acl, m.sessions[i] as Session, msg, qos))
        continue;
      // Without Retain As Published, forwarded copies have retain 0
      // [MQTT-3.3.1-9] [MQTT-3.3.1-12] [MQTT-3.3.1-13].
      const retain = m.retainAsPublished[i] === true && msg.retain;
      deliver(this.#core, m.sessions[i] as Session, msg, qos, retain, m.ids[i]);
    }
    const shared = m.sharedSize;
    for (let i = 0; i < shared; i++) {
      const sub = m.sharedSubs[i] as SubscriptionRecord;
      const qos = upgrade || sub.qos < msg.qos ? sub.qos : msg.qos;
      if (acl !== undefined && !mayRead(acl, m.sharedSessions[i] as Session, msg, qos)) {
        continue;
      }
      const retain = sub.retainAsPublished && msg.retain;
      const ids = sub.identifier !== 0 ? [sub.identifier] : undefined;
      deliver(this.#core, m.sharedSessions[i] as Session, msg, qos, retain, ids);
    }
    return n + shared;
  }

  /** Keeps, replaces or (empty payload) clears the topic's retained message. */
  #retain(msg: StoredMessage): void {
    const core = this.#core;
    if (msg.payload.length > 0) ownPayload(msg);
    const delta = core.retained.set(msg);
    core.stats.retainedCount = core.retained.count;
    core.stats.messagesStored += delta;
    core.observer?.retainedChanged(msg.topic, msg.payload.length > 0 ? msg : null);
  }
}
