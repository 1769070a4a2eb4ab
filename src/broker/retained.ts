/**
 * Retained messages (MQTT 3.3.1.3), one per topic, in a tree with one node
 * per topic level so that a new subscription's filter finds its messages by
 * walking the tree rather than testing every retained topic.
 *
 * Clients often subscribe with the same filter in a burst (a fleet of
 * dashboards, every client of a restarted application), so the last walks
 * are kept, by filter, until the next change to the store: the second and
 * later subscriptions cost one map lookup instead of a walk. The cache
 * holds at most about as many references as the store holds messages.
 */
import type { StoredMessage } from './message.js';

class RetainNode {
  /** Created on the first child: most nodes are leaves. */
  children: Map<string, RetainNode> | undefined = undefined;
  message: StoredMessage | undefined = undefined;
}

/** One cached walk: what matched, and whether any of it can expire. */
interface Walk {
  readonly found: readonly StoredMessage[];
  readonly expiring: boolean;
}

/** Cached references beyond the store's own count (small stores). */
const CACHE_SLACK = 4096;
/** Filters longer than this are walked every time, never cached. */
const CACHE_FILTER_CHARS = 1024;

export class RetainedStore {
  readonly #root = new RetainNode();
  #count = 0;
  #bytes = 0;
  readonly #walks = new Map<string, Walk>();
  #cachedRefs = 0;

  get count(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Filters whose walk is cached (for tests and diagnostics). */
  get cachedWalks(): number {
    return this.#walks.size;
  }

  /**
   * Stores the message for its topic, replacing the previous one; an empty
   * payload removes it [MQTT-3.3.1-6] [MQTT-3.3.1-7]. Returns the change in
   * the number of retained messages (-1, 0 or 1).
   */
  set(msg: StoredMessage): number {
    const topic = msg.topic;
    if (msg.payload.length === 0) return this.#delete(topic.split('/'));
    this.#changed();
    // The levels are cut one by one: no array of them is made.
    let node = this.#root;
    let start = 0;
    for (;;) {
      const end = topic.indexOf('/', start);
      node = childOf(node, end === -1 ? topic.slice(start) : topic.slice(start, end));
      if (end === -1) break;
      start = end + 1;
    }
    const old = node.message;
    node.message = msg;
    this.#bytes += msg.payload.length - (old?.payload.length ?? 0);
    if (old !== undefined) return 0;
    this.#count++;
    return 1;
  }

  /**
   * Retained messages whose topic matches `filter`, expired ones removed.
   * The array may be shared with later calls: read it, do not change it.
   */
  match(filter: string, now: number): readonly StoredMessage[] {
    let walk = this.#walks.get(filter);
    if (walk === undefined) {
      walk = this.#walk(filter);
      this.#remember(filter, walk);
    }
    if (!walk.expiring) return walk.found;
    const out: StoredMessage[] = [];
    const expired: StoredMessage[] = [];
    for (const msg of walk.found) {
      if (msg.expiresAt !== 0 && msg.expiresAt <= now) expired.push(msg);
      else out.push(msg);
    }
    for (const msg of expired) this.#delete(msg.topic.split('/'));
    return out;
  }

  /** Every retained message, for persistence and tests. */
  all(): StoredMessage[] {
    const out: StoredMessage[] = [];
    collectAll(this.#root, out);
    return out;
  }

  /** Nodes in the tree besides the root, to check that deletion prunes. */
  nodeCount(): number {
    return countNodes(this.#root) - 1;
  }

  #walk(filter: string): Walk {
    const found: StoredMessage[] = [];
    collect(this.#root, filter.split('/'), 0, found);
    let expiring = false;
    for (const msg of found) if (msg.expiresAt !== 0) expiring = true;
    return { found, expiring };
  }

  #remember(filter: string, walk: Walk): void {
    // A client may subscribe to endless new filters that match nothing:
    // each walk costs at least one, and long filters are not kept at all,
    // so the cache stays in proportion to the store.
    if (filter.length > CACHE_FILTER_CHARS) return;
    const refs = walk.found.length + 1;
    // Full: start again rather than track which walk is oldest.
    if (this.#cachedRefs + refs > this.#count + CACHE_SLACK) {
      this.#walks.clear();
      this.#cachedRefs = 0;
    }
    this.#walks.set(filter, walk);
    this.#cachedRefs += refs;
  }

  /** Any change to the store makes every cached walk stale. */
  #changed(): void {
    if (this.#walks.size === 0) return;
    this.#walks.clear();
    this.#cachedRefs = 0;
  }

  #delete(levels: string[]): number {
    const path: RetainNode[] = [this.#root];
    let node: RetainNode | undefined = this.#root;
    for (const level of levels) {
      node = node.children?.get(level);
      if (node === undefined) return 0;
      path.push(node);
    }
    const old = node.message;
    if (old === undefined) return 0;
    this.#changed();
    node.message = undefined;
    this.#count--;
    this.#bytes -= old.payload.length;
    prune(path, levels);
    return -1;
  }
}

/** The child of `node` for `level`, made if missing. */
function childOf(node: RetainNode, level: string): RetainNode {
  let children = node.children;
  if (children === undefined) {
    children = new Map();
    node.children = children;
  }
  let child = children.get(level);
  if (child === undefined) {
    child = new RetainNode();
    children.set(level, child);
  }
  return child;
}

/** Removes the nodes along `path` left with neither message nor child. */
function prune(path: RetainNode[], levels: string[]): void {
  for (let i = path.length - 1; i > 0; i--) {
    const n = path[i] as RetainNode;
    if (n.message !== undefined || (n.children !== undefined && n.children.size > 0)) {
      break;
    }
    const parent = path[i - 1] as RetainNode;
    parent.children?.delete(levels[i - 1] as string);
    if (parent.children?.size === 0) parent.children = undefined;
  }
}

function collect(
  node: RetainNode,
  levels: string[],
  i: number,
  out: StoredMessage[],
): void {
  if (i === levels.length) {
    if (node.message !== undefined) out.push(node.message);
    return;
  }
  const level = levels[i] as string;
  // A filter starting with a wildcard does not match '$' topics [MQTT-4.7.2-1].
  const skipDollar = i === 0;
  if (level === '#') {
    // 'a/#' matches 'a' itself too [MQTT-4.7.1-2].
    if (node.message !== undefined && i > 0) out.push(node.message);
    if (node.children === undefined) return;
    for (const [name, child] of node.children) {
      if (skipDollar && name.startsWith('$')) continue;
      collectAll(child, out);
    }
    return;
  }
  if (node.children === undefined) return;
  if (level === '+') {
    for (const [name, child] of node.children) {
      if (skipDollar && name.startsWith('$')) continue;
      collect(child, levels, i + 1, out);
    }
    return;
  }
  const child = node.children.get(level);
  if (child !== undefined) collect(child, levels, i + 1, out);
}

function collectAll(node: RetainNode, out: StoredMessage[]): void {
  if (node.message !== undefined) out.push(node.message);
  if (node.children === undefined) return;
  for (const child of node.children.values()) collectAll(child, out);
}

function countNodes(node: RetainNode): number {
  let n = 1;
  if (node.children === undefined) return n;
  for (const child of node.children.values()) n += countNodes(child);
  return n;
}
