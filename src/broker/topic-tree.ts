/**
 * The subscription index: a tree with one node per topic level. Matching a
 * topic walks it level by level, following the literal level, '+' and '#'
 * children, so the cost grows with the depth of the topic and the number
 * of matching subscriptions, not with the number of subscriptions.
 *
 * What a topic matched is cached (./match-cache.ts) until any subscribe or
 * unsubscribe; shared subscriptions are cached as their groups, so that a
 * member is still picked per message.
 */
import { type Collector, type GroupRef, MatchCache, MatchList } from './match-cache.js';
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

/** Passes what a walk finds straight on, picking a member per group. */
class SinkCollector implements Collector {
  sink: MatchSink | undefined = undefined;

  add(session: Session, sub: SubscriptionRecord): void {
    this.sink?.add(session, sub);
  }

  addGroup(group: GroupRef): void {
    const m = group.pick();
    this.sink?.addShared(m.session, m.sub);
  }
}

export class SubscriptionTree {
  readonly #root = new TopicNode();
  readonly #cache = new MatchCache();
  readonly #direct = new SinkCollector();

  /** Adds or replaces; returns true if the session had none for the filter. */
  add(session: Session, sub: SubscriptionRecord): boolean {
    this.#cache.clear();
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
    this.#cache.clear();
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
    const cache = this.#cache;
    let list = cache.get(topic);
    if (list === undefined) {
      if (!cache.filling) {
        this.#direct.sink = sink;
        this.#walk(topic, this.#direct);
        this.#direct.sink = undefined;
        return;
      }
      list = new MatchList();
      this.#walk(topic, list);
      cache.add(topic, list);
    }
    const { sessions, subs, groups } = list;
    for (let i = 0; i < subs.length; i++) {
      sink.add(sessions[i] as Session, subs[i] as SubscriptionRecord);
    }
    for (let i = 0; i < groups.length; i++) {
      const m = (groups[i] as GroupRef).pick();
      sink.addShared(m.session, m.sub);
    }
  }

  /** Topics whose matches are cached now; for tests. */
  get cachedTopics(): number {
    return this.#cache.size;
  }

  #walk(topic: string, out: Collector): void {
    // Wildcards at the first level do not match '$' topics [MQTT-4.7.2-1].
    const dollar = topic.charCodeAt(0) === 0x24;
    matchNode(this.#root, topic.split('/'), 0, dollar, out);
  }
}

function matchNode(
  node: TopicNode,
  levels: string[],
  i: number,
  dollar: boolean,
  out: Collector,
): void {
  const wild = !(dollar && i === 0);
  if (wild) {
    // 'a/#' matches 'a' as well as everything below it [MQTT-4.7.1-2].
    const hash = node.children.get('#');
    if (hash !== undefined) collect(hash, out);
  }
  if (i === levels.length) {
    collect(node, out);
    return;
  }
  const exact = node.children.get(levels[i] as string);
  if (exact !== undefined) matchNode(exact, levels, i + 1, dollar, out);
  if (wild) {
    const plus = node.children.get('+');
    if (plus !== undefined) matchNode(plus, levels, i + 1, dollar, out);
  }
}

function collect(node: TopicNode, out: Collector): void {
  for (const [session, sub] of node.subs) out.add(session, sub);
  for (const group of node.shared.values()) out.addGroup(group);
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
