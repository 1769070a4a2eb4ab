/**
 * The subscription index: a tree with one node per topic level. Matching a
 * topic walks it level by level, following the literal level, '+' and '#'
 * children, so the cost grows with the depth of the topic and the number
 * of matching subscriptions, not with the number of subscriptions.
 *
 * What a topic matched is cached by topic string until the tree next
 * changes: publishers mostly repeat a modest set of topics, and a cache hit
 * replaces the split into levels and the walk (a map lookup per level and
 * wildcard) by one lookup. The cache is bounded in topics and in the
 * subscriptions it refers to, and emptied by any subscribe or unsubscribe;
 * shared subscriptions are cached as their groups, so a member is still
 * picked per message.
 */
import type { Session, SubscriptionRecord } from './session.js';

/** Receives the subscriptions a topic matches. */
export interface MatchSink {
  add(session: Session, sub: SubscriptionRecord): void;
  /** One member chosen from a shared subscription group. */
  addShared(session: Session, sub: SubscriptionRecord): void;
}

interface Member {
  session: Session;
  sub: SubscriptionRecord;
}

/** Members of one `$share/group/filter`, served round robin [MQTT-4.8.2]. */
class SharedGroup {
  readonly members: Member[] = [];
  next = 0;

  /** The next member, preferring one that is online. */
  pick(): Member {
    const n = this.members.length;
    for (let i = 0; i < n; i++) {
      const k = (this.next + i) % n;
      const m = this.members[k] as Member;
      if (m.session.connection !== null) {
        this.next = (k + 1) % n;
        return m;
      }
    }
    const m = this.members[this.next % n] as Member;
    this.next = (this.next + 1) % n;
    return m;
  }
}

class TopicNode {
  readonly children = new Map<string, TopicNode>();
  readonly subs = new Map<Session, SubscriptionRecord>();
  readonly shared = new Map<string, SharedGroup>();

  isEmpty(): boolean {
    return this.children.size === 0 && this.subs.size === 0 && this.shared.size === 0;
  }
}

/** The subscriptions one topic matches: non-shared ones, then groups. */
class MatchList {
  readonly sessions: Session[] = [];
  readonly subs: SubscriptionRecord[] = [];
  readonly groups: SharedGroup[] = [];

  add(session: Session, sub: SubscriptionRecord): void {
    this.sessions.push(session);
    this.subs.push(sub);
  }

  get size(): number {
    return this.subs.length + this.groups.length;
  }
}

/** Most topics the match cache holds; past it, it starts again empty. */
export const MATCH_CACHE_TOPICS = 4096;
/** Most subscriptions (and groups) all cached lists refer to, together. */
export const MATCH_CACHE_REFS = 256 * 1024;

export class SubscriptionTree {
  readonly #root = new TopicNode();
  #cache = new Map<string, MatchList>();
  #cachedRefs = 0;

  /** Adds or replaces; returns true if the session had none for the filter. */
  add(session: Session, sub: SubscriptionRecord): boolean {
    this.#forget();
    let node = this.#root;
    for (const level of sub.filter.split('/')) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = new TopicNode();
        node.children.set(level, child);
      }
      node = child;
    }
    if (sub.group === '') {
      const isNew = !node.subs.has(session);
      node.subs.set(session, sub);
      return isNew;
    }
    return addShared(node, session, sub);
  }

  /** Returns true if the session had such a subscription. */
  remove(session: Session, filter: string, group: string): boolean {
    this.#forget();
    const path: TopicNode[] = [this.#root];
    let node: TopicNode | undefined = this.#root;
    const levels = filter.split('/');
    for (const level of levels) {
      node = node.children.get(level);
      if (node === undefined) return false;
      path.push(node);
    }
    const found =
      group === '' ? node.subs.delete(session) : removeShared(node, session, group);
    if (found) prune(path, levels);
    return found;
  }

  /** Calls the sink for every subscription matching `topic`. */
  match(topic: string, sink: MatchSink): void {
    const list = this.#cache.get(topic) ?? this.#collect(topic);
    const { sessions, subs, groups } = list;
    for (let i = 0; i < subs.length; i++) {
      sink.add(sessions[i] as Session, subs[i] as SubscriptionRecord);
    }
    for (let i = 0; i < groups.length; i++) {
      const m = (groups[i] as SharedGroup).pick();
      sink.addShared(m.session, m.sub);
    }
  }

  /** Topics whose matches are cached now; for tests. */
  get cachedTopics(): number {
    return this.#cache.size;
  }

  /** Walks the tree for `topic` and caches the result. */
  #collect(topic: string): MatchList {
    const list = new MatchList();
    // Wildcards at the first level do not match '$' topics [MQTT-4.7.2-1].
    const dollar = topic.charCodeAt(0) === 0x24;
    matchNode(this.#root, topic.split('/'), 0, dollar, list);
    if (
      this.#cache.size >= MATCH_CACHE_TOPICS ||
      this.#cachedRefs + list.size > MATCH_CACHE_REFS
    ) {
      this.#forget();
    }
    if (list.size <= MATCH_CACHE_REFS) {
      this.#cache.set(topic, list);
      this.#cachedRefs += list.size;
    }
    return list;
  }

  /** Empties the match cache: the tree changed, or it is full. */
  #forget(): void {
    if (this.#cache.size === 0) return;
    this.#cache = new Map();
    this.#cachedRefs = 0;
  }
}

function matchNode(
  node: TopicNode,
  levels: string[],
  i: number,
  dollar: boolean,
  list: MatchList,
): void {
  const wild = !(dollar && i === 0);
  if (wild) {
    // 'a/#' matches 'a' as well as everything below it [MQTT-4.7.1-2].
    const hash = node.children.get('#');
    if (hash !== undefined) collect(hash, list);
  }
  if (i === levels.length) {
    collect(node, list);
    return;
  }
  const exact = node.children.get(levels[i] as string);
  if (exact !== undefined) matchNode(exact, levels, i + 1, dollar, list);
  if (wild) {
    const plus = node.children.get('+');
    if (plus !== undefined) matchNode(plus, levels, i + 1, dollar, list);
  }
}

function collect(node: TopicNode, list: MatchList): void {
  for (const [session, sub] of node.subs) list.add(session, sub);
  for (const group of node.shared.values()) list.groups.push(group);
}

function addShared(node: TopicNode, session: Session, sub: SubscriptionRecord): boolean {
  let group = node.shared.get(sub.group);
  if (group === undefined) {
    group = new SharedGroup();
    node.shared.set(sub.group, group);
  }
  for (const m of group.members) {
    if (m.session === session) {
      m.sub = sub;
      return false;
    }
  }
  group.members.push({ session, sub });
  return true;
}

function removeShared(node: TopicNode, session: Session, name: string): boolean {
  const group = node.shared.get(name);
  if (group === undefined) return false;
  const i = group.members.findIndex((m) => m.session === session);
  if (i < 0) return false;
  group.members.splice(i, 1);
  if (group.members.length === 0) node.shared.delete(name);
  else group.next %= group.members.length;
  return true;
}

/** Drops nodes left empty, from the leaf up. */
function prune(path: TopicNode[], levels: string[]): void {
  for (let i = path.length - 1; i > 0; i--) {
    if (!(path[i] as TopicNode).isEmpty()) return;
    (path[i - 1] as TopicNode).children.delete(levels[i - 1] as string);
  }
}
