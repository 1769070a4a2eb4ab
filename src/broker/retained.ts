/**
 * Retained messages (MQTT 3.3.1.3), one per topic, in a tree with one node
 * per topic level so that a new subscription's filter finds its messages by
 * walking the tree rather than testing every retained topic.
 */
import type { StoredMessage } from './message.js';

class RetainNode {
  readonly children = new Map<string, RetainNode>();
  message: StoredMessage | undefined = undefined;
}

export class RetainedStore {
  readonly #root = new RetainNode();
  #count = 0;
  #bytes = 0;

  get count(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Stores the message for its topic, replacing the previous one; an empty
   * payload removes it [MQTT-3.3.1-6] [MQTT-3.3.1-7]. Returns the change in
   * the number of retained messages (-1, 0 or 1).
   */
  set(msg: StoredMessage): number {
    const levels = msg.topic.split('/');
    if (msg.payload.length === 0) return this.#delete(levels);
    let node = this.#root;
    for (const level of levels) {
      let child = node.children.get(level);
      if (child === undefined) {
        child = new RetainNode();
        node.children.set(level, child);
      }
      node = child;
    }
    const old = node.message;
    node.message = msg;
    this.#bytes += msg.payload.length - (old?.payload.length ?? 0);
    if (old !== undefined) return 0;
    this.#count++;
    return 1;
  }

  /** Retained messages whose topic matches `filter`, expired ones removed. */
  match(filter: string, now: number): StoredMessage[] {
    const out: StoredMessage[] = [];
    collect(this.#root, filter.split('/'), 0, out);
    let n = 0;
    for (const msg of out) {
      if (msg.expiresAt !== 0 && msg.expiresAt <= now) {
        this.#delete(msg.topic.split('/'));
      } else {
        out[n++] = msg;
      }
    }
    out.length = n;
    return out;
  }

  /** Every retained message, for persistence and tests. */
  all(): StoredMessage[] {
    const out: StoredMessage[] = [];
    collectAll(this.#root, out);
    return out;
  }

  #delete(levels: string[]): number {
    const path: RetainNode[] = [this.#root];
    let node: RetainNode | undefined = this.#root;
    for (const level of levels) {
      node = node.children.get(level);
      if (node === undefined) return 0;
      path.push(node);
    }
    const old = node.message;
    if (old === undefined) return 0;
    node.message = undefined;
    this.#count--;
    this.#bytes -= old.payload.length;
    for (let i = path.length - 1; i > 0; i--) {
      const n = path[i] as RetainNode;
      if (n.message !== undefined || n.children.size > 0) break;
      (path[i - 1] as RetainNode).children.delete(levels[i - 1] as string);
    }
    return -1;
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
    for (const [name, child] of node.children) {
      if (skipDollar && name.startsWith('$')) continue;
      collectAll(child, out);
    }
    return;
  }
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
  for (const child of node.children.values()) collectAll(child, out);
}
