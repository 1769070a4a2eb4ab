/**
 * The client side of an MQTT session (MQTT 4.1): the QoS 1 and 2 messages
 * in flight both ways and the packet identifiers they hold.
 *
 * Every MqttClient has one. By default it is the client's own and ends
 * with it: what is still in flight is rejected when the client closes.
 * A ClientSession passed in the options instead outlives the client, so
 * that a later client given the same session resumes it, as a persistent
 * session on the server expects: unacknowledged PUBLISH packets go again
 * with DUP set and PUBREL packets again, with their identifiers, and a
 * QoS 2 message the server sends again before its PUBREL is not delivered
 * twice. That is what keeps QoS 2 "exactly once" across connections
 * (MQTT 4.4) for a user that makes a new client per connection, as a
 * bridge does.
 *
 * @example
 * const session = new ClientSession();
 * const options = { host, clientId: 'gw', clean: false, session };
 * let client = new MqttClient(options);
 * await client.connect();
 * void client.publish('t', 'once', { qos: 2 }); // resolves on PUBCOMP...
 * // ...the connection drops; a new client picks up where it was:
 * client = new MqttClient(options);
 * await client.connect();
 */
import { ClientClosedError } from './errors.js';
import { Inbound, type Message } from './inbound.js';
import { Outbound } from './outbound.js';
import { PacketIds } from './packet-ids.js';

/** What a client takes from its session. */
export interface SessionParts {
  ids: PacketIds;
  outbound: Outbound;
  inbound: Inbound;
  /** The client using the session now, if any. */
  owner: object | null;
}

const parts = new WeakMap<ClientSession, SessionParts>();

export class ClientSession {
  constructor() {
    const ids = new PacketIds();
    parts.set(this, {
      ids,
      outbound: new Outbound(ids),
      inbound: new Inbound(() => {}),
      owner: null,
    });
  }

  /** QoS 1/2 publishes sent and not yet fully acknowledged. */
  get inflightCount(): number {
    return sessionParts(this).outbound.inflightCount;
  }

  /** Publishes waiting for an in-flight slot or a connection. */
  get queuedCount(): number {
    return sessionParts(this).outbound.queuedCount;
  }

  /**
   * Ends the session here: every publish in flight or queued is rejected
   * with `error` and forgotten, as a clean session would have them.
   */
  clear(error?: Error): void {
    const p = sessionParts(this);
    p.outbound.failAll(
      error ?? new ClientClosedError('CLIENT_CLOSED', 'the session was cleared'),
    );
    p.inbound.forget();
  }
}

/** For MqttClient: the parts of `session`, or of a new one of its own. */
export function sessionParts(session: ClientSession): SessionParts {
  return parts.get(session)!;
}

/** A session no one else can see: the default of each client. */
export function ownSession(deliver: (message: Message) => void): SessionParts {
  const own = sessionParts(new ClientSession());
  own.inbound.deliverTo(deliver);
  return own;
}
