/**
 * Publisher back-pressure. When an online subscriber falls behind (bytes
 * waiting in its transport, or QoS 1/2 messages queued behind its
 * in-flight window, past a high-water mark), the connection whose PUBLISH
 * (or PUBREL) just reached it stops being read, right after that packet;
 * the rest of the chunk waits in its decoder and the kernel's buffers push
 * back on the publisher, so no work is done for messages that would be
 * dropped. Publishers held back by a subscriber are read again, on a
 * later turn of the event loop, once it drains below a low-water mark.
 *
 * Safety rules:
 * - Offline sessions, and connections that cannot pause (bridges' links),
 *   never hold anyone back or are held: their queue limits apply as before.
 * - A subscriber that does not drain for BACKPRESSURE_LIMIT_MS is marked
 *   slow (one log line): publishers go on, and its messages are dropped at
 *   the limits as without back-pressure, until it drains again.
 * - A backed-up connection is never paused, and one that backs up while
 *   paused is read again: its input carries the acknowledgements that
 *   drain it. So a paused connection only ever waits for one that is
 *   being read, and no cycle (A publishing to B while B publishes to A)
 *   can deadlock.
 * - A client is never held back by its own backlog (that is
 *   READ_PAUSE_BYTES' job in ./connection.ts).
 *
 * Per message the cost is one comparison of the subscriber's backlog in
 * ./delivery.ts; the rest runs once per pause or drain.
 */
import { LogType } from '../log/log-types.js';
import { type Connection, ConnState } from './connection.js';
import type { BrokerCore } from './core.js';
import type { Session } from './session.js';

/**
 * Bytes waiting in a subscriber's transport past which its publishers are
 * paused; they go on once it drains (a socket's 'drain': all handed to the
 * kernel) or falls below a quarter of this. Well under the 8 MB at which
 * QoS 0 messages are dropped (./delivery.ts), so that the publishers still
 * in flight when it is crossed fit under that.
 * LIMIT(config): fixed, no mosquitto.conf option.
 */
export const BACKPRESSURE_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = BACKPRESSURE_BYTES / 4;

/** The queue length treated as max_queued_messages when there is none. */
const UNLIMITED_QUEUE = 1000;

/**
 * How long a subscriber may stay backed up, without draining below the
 * low-water mark, before its publishers stop waiting for it.
 * LIMIT(config): fixed, no mosquitto.conf option.
 */
export const BACKPRESSURE_LIMIT_MS = 2000;
// LIMIT(flow): the bound is per backed-up spell. A subscriber that drains
// just in time, spell after spell, holds its publishers to its pace for
// as long as it likes; a budget of held time per window would end that.

/** Flow-control state of one connection, made on first need. */
export class FlowState {
  /** As a subscriber: backed up since (epoch ms); 0 = not backed up. */
  backedUpSince = 0;
  /** As a subscriber: backed up too long; nobody waits for it. */
  slow = false;
  /** As a subscriber: publishers paused until it drains. */
  readonly waiters: Connection[] = [];
  /** As a publisher: the subscriber it waits for; null = read as usual. */
  blockedBy: Connection | null = null;
}

/** Share of the queue limits at which publishers wait, and go on. */
const QUEUE_HIGH_SHARE = 0.5;
const QUEUE_LOW_SHARE = 0.25;

/**
 * True when the queue is over `share` of max_queued_messages or of
 * max_queued_bytes. Half the limit pauses publishers, so that those
 * caught mid-chunk (one message each) still fit under the limit.
 */
function queueOver(core: BrokerCore, session: Session, share: number): boolean {
  const { maxQueuedMessages, maxQueuedBytes } = core.options;
  const limit = maxQueuedMessages > 0 ? maxQueuedMessages : UNLIMITED_QUEUE;
  if (session.queue.length > limit * share) return true;
  return maxQueuedBytes > 0 && session.queuedBytes > maxQueuedBytes * share;
}

/**
 * True when a session whose transport holds `buffered` bytes is over the
 * high-water mark.
 */
export function isBackedUp(
  core: BrokerCore,
  session: Session,
  buffered: number,
): boolean {
  return buffered > BACKPRESSURE_BYTES || queueOver(core, session, QUEUE_HIGH_SHARE);
}

function isDrained(core: BrokerCore, session: Session, conn: Connection): boolean {
  return (
    conn.transport.bufferedBytes <= LOW_WATER_BYTES &&
    !queueOver(core, session, QUEUE_LOW_SHARE)
  );
}

function stateOf(conn: Connection): FlowState {
  let f = conn.flow;
  if (f === undefined) {
    f = new FlowState();
    conn.flow = f;
  }
  return f;
}

export class FlowControl {
  /**
   * The last backed-up subscriber a delivery reached, for the connection
   * whose packet is being handled; it reads and clears this afterwards.
   */
  blocker: Connection | null = null;
  readonly #core: BrokerCore;
  /** Backed-up subscribers, for the sweep. */
  readonly #backedUp = new Set<Connection>();
  #toResume: Connection[] = [];
  #scheduled = false;
  readonly #resumeAll = (): void => this.#runResumes();

  constructor(core: BrokerCore) {
    this.#core = core;
  }

  /** A delivery found `sub` over the high-water mark. */
  noteBackedUp(sub: Connection): void {
    const f = stateOf(sub);
    if (f.backedUpSince === 0) {
      f.backedUpSince = Date.now();
      this.#backedUp.add(sub);
      // Its acknowledgements must be read for it to drain.
      if (f.blockedBy !== null) this.#unblock(sub, f);
    }
    if (!f.slow) this.blocker = sub;
  }

  /**
   * After `pub`'s PUBLISH or PUBREL reached the backed-up `blocker`: pause
   * `pub` until that subscriber drains, unless a safety rule says no.
   */
  holdBack(pub: Connection): void {
    const sub = this.blocker as Connection;
    this.blocker = null;
    if (sub === pub || pub.state !== ConnState.Connected) return;
    // LIMIT(flow): a bridge's in-process link cannot stop reading, and
    // pausing it would need the bridge to stop reading the remote broker;
    // its messages meet the queue limits as without flow control.
    if (!pub.canPause || !sub.canPause || sub.state !== ConnState.Connected) return;
    const pf = stateOf(pub);
    if (pf.backedUpSince !== 0 || pf.blockedBy !== null) return;
    const sf = sub.flow as FlowState;
    if (sf.slow) return;
    if (Date.now() - sf.backedUpSince > BACKPRESSURE_LIMIT_MS) {
      this.#giveUp(sub, sf);
      return;
    }
    pf.blockedBy = sub;
    sf.waiters.push(pub);
    pub.pauseForFlow();
  }

  /**
   * `sub` may have drained (its transport emptied, or an acknowledgement
   * moved its queue): if below the low-water mark, its publishers go on.
   */
  checkDrained(sub: Connection): void {
    const f = sub.flow;
    if (f === undefined || f.backedUpSince === 0) return;
    const session = sub.session;
    if (session !== null && !isDrained(this.#core, session, sub)) return;
    this.#clear(sub, f);
  }

  /** A connection ends: whoever waits for it goes on; it waits no more. */
  closed(conn: Connection): void {
    const f = conn.flow;
    if (f === undefined) return;
    if (f.backedUpSince !== 0) this.#clear(conn, f);
    if (f.blockedBy !== null) {
      this.#leave(conn, f);
      f.blockedBy = null;
    }
  }

  /**
   * Periodic check: drained subscribers whose drain went unnoticed release
   * their publishers, and those backed up too long are marked slow.
   */
  sweep(now: number): void {
    for (const sub of this.#backedUp) {
      const f = sub.flow as FlowState;
      const session = sub.session;
      if (sub.state !== ConnState.Connected || session === null) {
        this.#clear(sub, f);
      } else if (isDrained(this.#core, session, sub)) {
        this.#clear(sub, f);
      } else if (!f.slow && now - f.backedUpSince > BACKPRESSURE_LIMIT_MS) {
        this.#giveUp(sub, f);
      }
    }
  }

  #clear(sub: Connection, f: FlowState): void {
    f.backedUpSince = 0;
    f.slow = false;
    this.#backedUp.delete(sub);
    this.#release(f);
  }

  /** Past the time bound: publishers no longer wait for `sub`. */
  #giveUp(sub: Connection, f: FlowState): void {
    f.slow = true;
    this.#core.log(
      LogType.Warning,
      `Warning: Client ${sub.logId} has not read its messages for ` +
        `${BACKPRESSURE_LIMIT_MS / 1000} s; its publishers are no longer ` +
        'held back and messages to it may be dropped.',
    );
    this.#release(f);
  }

  #release(f: FlowState): void {
    const waiters = f.waiters;
    if (waiters.length === 0) return;
    for (const pub of waiters) this.#queueResume(pub);
    waiters.length = 0;
  }

  /** `pub` stops waiting for its blocker, before that one drains. */
  #unblock(pub: Connection, f: FlowState): void {
    this.#leave(pub, f);
    this.#queueResume(pub);
  }

  /** Removes `pub` from its blocker's waiters (rare: linear is fine). */
  #leave(pub: Connection, f: FlowState): void {
    const waiters = (f.blockedBy as Connection).flow?.waiters;
    const i = waiters === undefined ? -1 : waiters.indexOf(pub);
    if (i >= 0) waiters?.splice(i, 1);
  }

  /**
   * Resumes on a later turn, never inside the handling of the packet that
   * drained the subscriber: the held input is routed from a clean stack.
   */
  #queueResume(pub: Connection): void {
    const f = pub.flow as FlowState;
    f.blockedBy = null;
    this.#toResume.push(pub);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#resumeAll);
  }

  #runResumes(): void {
    this.#scheduled = false;
    const list = this.#toResume;
    this.#toResume = [];
    for (const pub of list) {
      if (pub.flow?.blockedBy === null) this.#core.guarded(() => pub.resumeAfterFlow());
    }
  }
}
