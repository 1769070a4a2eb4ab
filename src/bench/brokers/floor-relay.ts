/**
 * The Node floor: the least work a broker on Node can do for the bench's
 * message flows, measured as a fourth broker (`--brokers ...,floor`) so
 * that a target can be set against what Node itself allows on the machine.
 *
 * It is midge's I/O without MQTT: the same TCP transport (small writes
 * gathered and flushed once per turn, Nagle's algorithm off), the same
 * paced young collections and the same back-pressure thresholds. Of MQTT
 * it only frames packets, answers CONNECT, SUBSCRIBE and each QoS 1/2 step
 * with a fixed reply, and forwards each PUBLISH, bytes unchanged but for a
 * packet identifier of each subscriber's own, to the clients whose filters
 * match its topic. A QoS 2 PUBLISH goes on at its PUBREL, as in midge and
 * Mosquitto: when it goes on is the brokers' behaviour, not work the floor
 * may leave out. Like midge and Mosquitto, it keeps at most
 * max_inflight_messages QoS 1/2 messages (20 unless the bench says
 * otherwise) unacknowledged per subscriber and queues the rest, counted
 * rather than recorded. It keeps no session, no retained message, nothing
 * on disk, and checks nothing a client sends.
 *
 * So a target the floor misses is taken to be out of reach of any broker
 * on Node over `node:net`, and midge's distance to the floor is what its
 * MQTT work costs; the floor's own figures are measured in runs of their
 * own and as noisy as any, so midge can land level with it or past it.
 * It serves the bench and nothing else: a subscriber gets the publisher's
 * QoS whatever it asked for, and the publisher's bytes whatever protocol
 * level it speaks (the bench subscribes at the QoS it publishes, and all
 * its clients speak one level); retained messages and persistence are not
 * offered.
 *
 * @example
 * node dist/bench/brokers/floor-relay.js 1883 [max_inflight_messages]
 */
import { createServer, type Socket } from 'node:net';
import { Deque } from '../../broker/deque.js';
import { BACKPRESSURE_BYTES } from '../../broker/flow-control.js';
import { noteBytesRead } from '../../io/gc-pacing.js';
import { SocketTransport } from '../../listeners/socket-transport.js';
import { PacketType, ReasonCode, topicMatches } from '../../protocol/index.js';

/** A variable byte integer and the offset after it, or null if cut short. */
function varIntAt(b: Buffer, at: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = at; i < b.length && i < at + 4; i++) {
    const byte = b[i] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return { value, next: i + 1 };
  }
  return null;
}

/** Where a packet's body starts and where the packet ends. */
interface Frame {
  bodyAt: number;
  end: number;
}

/** The frame of the packet at `at`, or null while its header is incomplete. */
function frameAt(b: Buffer, at: number): Frame | null {
  const length = varIntAt(b, at + 1);
  return length === null
    ? null
    : { bodyAt: length.next, end: length.next + length.value };
}

/**
 * max_inflight_messages: 20 unless the bench gives another (the brokers'
 * default, which they apply unless a scenario sets it).
 */
const WINDOW = Number(process.argv[3] ?? 20);
/** Queued messages past which publishers wait, and below which they go on. */
const QUEUE_HIGH = 500;
const QUEUE_LOW = 250;

interface Queued {
  packet: Buffer;
  idAt: number;
}

interface Held extends Queued {
  topic: string;
}

const subscriptions: { filter: string; client: Client }[] = [];
/** The clients each topic goes to, worked out on its first PUBLISH. */
const routes = new Map<string, Client[]>();

function routeOf(topic: string): Client[] {
  let clients = routes.get(topic);
  if (clients === undefined) {
    clients = [];
    for (const { filter, client } of subscriptions) {
      if (topicMatches(filter, topic) && !clients.includes(client)) clients.push(client);
    }
    routes.set(topic, clients);
  }
  return clients;
}

class Client {
  readonly transport: SocketTransport;
  #v5 = false;
  #lastId = 0;
  /** Publishers paused until this client's queued bytes drain. */
  #waiting: Client[] = [];
  #paused = false;
  /** As a subscriber: QoS 1/2 messages sent and not yet acknowledged. */
  #inflight = 0;
  #queue = new Deque<Queued>();
  /**
   * As a publisher: QoS 2 messages by packet identifier, held until PUBREL
   * (made at the first, so that a connection without QoS 2 costs nothing).
   */
  #held: Map<number, Held> | null = null;
  /** A packet spanning reads, filled up to #filled. */
  #partial: Buffer | null = null;
  #filled = 0;
  /** The start of a header cut by the end of a read. */
  #head: Buffer | null = null;

  constructor(socket: Socket) {
    this.transport = new SocketTransport(socket);
    this.transport.start(this);
  }

  onData(chunk: Buffer): void {
    noteBytesRead(chunk.length);
    let b = chunk;
    let at = 0;
    if (this.#partial !== null) {
      at = this.#fill(chunk);
      if (at < 0) return;
    } else if (this.#head !== null) {
      b = Buffer.concat([this.#head, chunk]);
      this.#head = null;
    }
    while (at < b.length) {
      const frame = frameAt(b, at);
      if (frame === null) {
        this.#head = Buffer.from(b.subarray(at));
        return;
      }
      if (frame.end > b.length) {
        this.#partial = Buffer.allocUnsafe(frame.end - at);
        this.#filled = b.copy(this.#partial, 0, at);
        return;
      }
      this.#packet(b, at, frame);
      at = frame.end;
    }
  }

  /** Copies into the packet being assembled; where the chunk's rest starts, or -1. */
  #fill(chunk: Buffer): number {
    const packet = this.#partial as Buffer;
    const n = Math.min(packet.length - this.#filled, chunk.length);
    chunk.copy(packet, this.#filled, 0, n);
    this.#filled += n;
    if (this.#filled < packet.length) return -1;
    this.#partial = null;
    this.#packet(packet, 0, frameAt(packet, 0) as Frame);
    return n;
  }

  onDrain(): void {
    if (this.#queue.length <= QUEUE_LOW) this.#release();
  }

  /** Reads again from the publishers that wait for this subscriber. */
  #release(): void {
    for (const publisher of this.#waiting) {
      publisher.#paused = false;
      publisher.transport.resume();
    }
    this.#waiting = [];
  }

  onClose(): void {
    this.#release();
    for (let i = subscriptions.length - 1; i >= 0; i--) {
      if (subscriptions[i]?.client === this) subscriptions.splice(i, 1);
    }
    routes.clear();
  }

  #packet(b: Buffer, at: number, { bodyAt, end }: Frame): void {
    const type = (b[at] as number) >> 4;
    if (type === PacketType.Publish) this.#publish(b, at, bodyAt, end);
    else if (type === PacketType.Connect) this.#connect(b, bodyAt);
    else if (type === PacketType.Subscribe) this.#subscribe(b, bodyAt, end);
    else if (type === PacketType.Puback || type === PacketType.Pubcomp) this.#acked();
    else if (type === PacketType.Pubrec) this.#reply(PacketType.Pubrel, 0x02, b, bodyAt);
    else if (type === PacketType.Pubrel) this.#pubrel(b, bodyAt);
    else if (type === PacketType.Pingreq) this.#replyEmpty(PacketType.Pingresp);
    else if (type === PacketType.Disconnect) this.transport.end();
  }

  #connect(b: Buffer, bodyAt: number): void {
    // The protocol level follows the protocol name.
    const level = b[bodyAt + 2 + b.readUInt16BE(bodyAt)];
    this.#v5 = level === 5;
    // Session present 0, Success; a 5.0 CONNACK has an empty property list.
    const body = this.#v5 ? [0, ReasonCode.Success, 0] : [0, ReasonCode.Success];
    const connack = [PacketType.Connack << 4, body.length, ...body];
    this.transport.write(Buffer.from(connack));
  }

  #subscribe(b: Buffer, bodyAt: number, end: number): void {
    let at = bodyAt + 2;
    if (this.#v5) {
      // Subscription properties: the bench sends none worth reading.
      const props = varIntAt(b, at) as { value: number; next: number };
      at = props.next + props.value;
    }
    const granted: number[] = [];
    while (at < end) {
      const length = b.readUInt16BE(at);
      const filter = b.toString('utf8', at + 2, at + 2 + length);
      granted.push((b[at + 2 + length] as number) & 3);
      at += 3 + length;
      subscriptions.push({ filter, client: this });
    }
    routes.clear();
    const props = this.#v5 ? [0] : [];
    const body = [b[bodyAt] as number, b[bodyAt + 1] as number, ...props, ...granted];
    this.transport.write(Buffer.from([PacketType.Suback << 4, body.length, ...body]));
  }

  #publish(b: Buffer, at: number, bodyAt: number, end: number): void {
    const qos = ((b[at] as number) >> 1) & 3;
    const topicEnd = bodyAt + 2 + b.readUInt16BE(bodyAt);
    const topic = b.toString('utf8', bodyAt + 2, topicEnd);
    if (qos > 0) {
      const ack = qos === 1 ? PacketType.Puback : PacketType.Pubrec;
      this.#reply(ack, 0, b, topicEnd);
    }
    const packet = b.subarray(at, end);
    const idAt = topicEnd - at;
    if (qos === 2) {
      // Held where it lies in the read's chunk. midge copies a small held
      // payload out of the chunk so as not to keep the chunk alive; the
      // floor leaves that copy out. A repeat before PUBREL is kept once.
      const id = b.readUInt16BE(topicEnd);
      this.#held ??= new Map();
      if (!this.#held.has(id)) this.#held.set(id, { packet, idAt, topic });
      return;
    }
    for (const client of routeOf(topic)) this.#forward(client, packet, qos, idAt);
  }

  /** PUBREL: PUBCOMP, and the held QoS 2 message goes on. */
  #pubrel(b: Buffer, bodyAt: number): void {
    this.#reply(PacketType.Pubcomp, 0, b, bodyAt);
    const id = b.readUInt16BE(bodyAt);
    const held = this.#held?.get(id);
    if (held === undefined) return;
    this.#held?.delete(id);
    for (const client of routeOf(held.topic)) {
      this.#forward(client, held.packet, 2, held.idAt);
    }
  }

  #forward(to: Client, packet: Buffer, qos: number, idAt: number): void {
    if (qos === 0) to.transport.write(packet);
    else if (to.#inflight < WINDOW) to.#send(packet, idAt);
    // Kept past this read, so copied out of the chunk it lies in.
    else to.#queue.push({ packet: Buffer.from(packet), idAt });
    // LIMIT(flow): unlike midge's flow control, a client may be paused for
    // its own backlog, or two clients for each other's, and then wait for
    // ever for acknowledgements it no longer reads. No bench flow has a
    // client that both publishes and subscribes.
    const backedUp =
      to.#queue.length > QUEUE_HIGH || to.transport.bufferedBytes > BACKPRESSURE_BYTES;
    if (!this.#paused && backedUp) {
      this.#paused = true;
      this.transport.pause();
      to.#waiting.push(this);
    }
  }

  /** Sends a QoS 1/2 PUBLISH under a packet identifier of this client's own. */
  #send(packet: Buffer, idAt: number): void {
    // The header up to the identifier is copied to take the new one; the
    // rest goes as it came.
    const head = Buffer.allocUnsafe(idAt + 2);
    packet.copy(head, 0, 0, idAt);
    this.#lastId = this.#lastId === 0xffff ? 1 : this.#lastId + 1;
    head.writeUInt16BE(this.#lastId, idAt);
    this.#inflight++;
    this.transport.write(head);
    this.transport.write(packet.subarray(idAt + 2));
  }

  /** A QoS 1/2 delivery to this client ended: the next queued one goes. */
  #acked(): void {
    this.#inflight--;
    const next = this.#queue.shift();
    if (next !== undefined) this.#send(next.packet, next.idAt);
    const low = this.transport.bufferedBytes <= BACKPRESSURE_BYTES;
    if (this.#queue.length <= QUEUE_LOW && low) this.#release();
  }

  /** A packet of `type` with no body. */
  #replyEmpty(type: PacketType): void {
    this.transport.write(Buffer.from([type << 4, 0]));
  }

  /** A packet of `type` carrying the packet identifier at `idAt` in `b`. */
  #reply(type: PacketType, flags: number, b: Buffer, idAt: number): void {
    const reply = [(type << 4) | flags, 2, b[idAt] as number, b[idAt + 1] as number];
    this.transport.write(Buffer.from(reply));
  }
}

const port = Number(process.argv[2]);
// Nagle off, as midge's set_tcp_nodelay default has it.
const server = createServer({ noDelay: true }, (socket) => new Client(socket));
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`floor relay listening on 127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
