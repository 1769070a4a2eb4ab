/**
 * What topics matched in the subscription tree, kept until the tree next
 * changes. Publishers mostly repeat a modest set of topics; for those a
 * cache hit replaces the split into levels and the walk (a map lookup per
 * level and wildcard) by one lookup.
 *
 * Bounded in topics and in the subscriptions the lists refer to; full, it
 * starts again empty. Filling it costs about as much as the walk it saves
 * later, so when most topics are new (a sensor id in every topic), it
 * rests for a while: neither looked up nor filled, the tree walked as
 * before.
 */
import type { Session, SubscriptionRecord } from './session.js';

/** A shared subscription group as the tree holds it. */
export interface GroupRef {
  /** The member to deliver this message to. */
  pick(): { session: Session; sub: SubscriptionRecord };
}

/** Receives what a walk of the tree finds. */
export interface Collector {
  add(session: Session, sub: SubscriptionRecord): void;
  addGroup(group: GroupRef): void;
}

/** The subscriptions one topic matches: non-shared ones, then groups. */
export class MatchList implements Collector {
  readonly sessions: Session[] = [];
  readonly subs: SubscriptionRecord[] = [];
  readonly groups: GroupRef[] = [];

  add(session: Session, sub: SubscriptionRecord): void {
    this.sessions.push(session);
    this.subs.push(sub);
  }

  addGroup(group: GroupRef): void {
    this.groups.push(group);
  }

  get size(): number {
    return this.subs.length + this.groups.length;
  }
}

/** Most topics the cache holds. */
export const MATCH_CACHE_TOPICS = 4096;
/** Most subscriptions (and groups) all cached lists refer to, together. */
export const MATCH_CACHE_REFS = 256 * 1024;
/** Topics longer than this are not cached: at most 4,096 x 1 KiB of keys. */
export const MATCH_CACHE_TOPIC_CHARS = 1024;
/** Lookups per window over which the hit rate is judged. */
const WINDOW = 1024;
/** Windows without filling after one where most lookups missed. */
const REST_WINDOWS = 15;

export class MatchCache {
  #lists = new Map<string, MatchList>();
  #refs = 0;
  #lookups = 0;
  #misses = 0;
  #resting = 0;

  get size(): number {
    return this.#lists.size;
  }

  /**
   * The cached list for `topic`, or undefined: not cached, or the cache is
   * resting (then `filling` is false and it is not even looked up).
   */
  get(topic: string): MatchList | undefined {
    if (++this.#lookups === WINDOW) this.#judge();
    if (this.#resting > 0) return undefined;
    const list = this.#lists.get(topic);
    if (list === undefined) this.#misses++;
    return list;
  }

  /** False while the cache rests: walk the tree straight into the sink. */
  get filling(): boolean {
    return this.#resting === 0;
  }

  add(topic: string, list: MatchList): void {
    // Bounded in bytes too: a long topic is walked every time.
    if (topic.length > MATCH_CACHE_TOPIC_CHARS) return;
    const size = list.size;
    if (this.#lists.size >= MATCH_CACHE_TOPICS || this.#refs + size > MATCH_CACHE_REFS) {
      this.clear();
    }
    if (size > MATCH_CACHE_REFS) return;
    this.#lists.set(topic, list);
    this.#refs += size;
  }

  /** Forgets every list: the tree changed, or the cache is full. */
  clear(): void {
    if (this.#lists.size === 0) return;
    this.#lists = new Map();
    this.#refs = 0;
  }

  /** Stops filling for a while when most of a window's lookups missed. */
  #judge(): void {
    if (this.#resting > 0) this.#resting--;
    else if (this.#misses * 2 > WINDOW) this.#resting = REST_WINDOWS;
    this.#lookups = 0;
    this.#misses = 0;
  }
}
