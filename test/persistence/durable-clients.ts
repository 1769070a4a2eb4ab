/**
 * Clients that keep their side of persistent sessions across broker
 * crashes, as a careful MQTT client does: they reconnect with clean
 * session off, resend what they had in flight, and (subscriber) treat a
 * QoS 2 packet identifier as delivered until its PUBREL [MQTT-4.3.3-9], so
 * a PUBLISH the broker resends is not counted twice.
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import { generate, type IConnackPacket, type Packet, parser } from 'mqtt-packet';

const RECONNECT_MS = 50;

abstract class DurableClient {
  readonly clientId: string;
  readonly version: 4 | 5;
  /** CONNACKs after the first that said the session was gone. */
  lostSessions = 0;
  connects = 0;
  #port: number;
  #socket: Socket | undefined;
  #stopped = false;

  constructor(port: number, clientId: string, version: 4 | 5) {
    this.#port = port;
    this.clientId = clientId;
    this.version = version;
  }

  start(): void {
    this.#open();
  }

  stop(): void {
    this.#stopped = true;
    this.#socket?.destroy();
  }

  get connected(): boolean {
    return this.#socket !== undefined && !this.#socket.destroyed && this.connects > 0;
  }

  protected send(packet: Packet): void {
    const s = this.#socket;
    if (s !== undefined && !s.destroyed) {
      s.write(generate(packet, { protocolVersion: this.version }));
    }
  }

  protected abstract onConnack(connack: IConnackPacket, again: boolean): void;
  protected abstract onPacket(packet: Packet): void;

  #open(): void {
    if (this.#stopped) return;
    const socket = tcpConnect(this.#port, '127.0.0.1');
    this.#socket = socket;
    const decoder = parser({ protocolVersion: this.version });
    let ready = false;
    decoder.on('packet', (p: Packet) => {
      if (p.cmd !== 'connack') {
        if (ready) this.onPacket(p);
        return;
      }
      const code = p.reasonCode ?? p.returnCode ?? 0;
      if (code !== 0) {
        socket.destroy();
        return;
      }
      ready = true;
      const again = this.connects > 0;
      this.connects++;
      if (again && !p.sessionPresent) this.lostSessions++;
      this.onConnack(p, again);
    });
    socket.on('data', (chunk: Buffer) => decoder.parse(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      setTimeout(() => this.#open(), RECONNECT_MS);
    });
    socket.on('connect', () => {
      socket.setNoDelay(true);
      this.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: this.version,
        clientId: this.clientId,
        clean: false,
        keepalive: 0,
        properties: this.version === 5 ? { sessionExpiryInterval: 3600 } : undefined,
      });
    });
  }
}

/** Subscribes once; counts every message delivered to the application. */
export class DurableSubscriber extends DurableClient {
  /** Payload -> times delivered. */
  readonly received = new Map<string, number>();
  readonly #filter: string;
  /** QoS 2 packet identifiers delivered and awaiting PUBREL. */
  readonly #awaitingRel = new Set<number>();

  constructor(port: number, clientId: string, version: 4 | 5, filter: string) {
    super(port, clientId, version);
    this.#filter = filter;
  }

  protected onConnack(_connack: IConnackPacket, again: boolean): void {
    if (again) return;
    this.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [{ topic: this.#filter, qos: 2 }],
    });
  }

  protected onPacket(p: Packet): void {
    if (p.cmd === 'publish') {
      const id = p.messageId as number;
      if (p.qos === 1) {
        this.#deliver(p.payload.toString());
        this.send({ cmd: 'puback', messageId: id });
      } else if (p.qos === 2) {
        if (!this.#awaitingRel.has(id)) {
          this.#awaitingRel.add(id);
          this.#deliver(p.payload.toString());
        }
        this.send({ cmd: 'pubrec', messageId: id });
      }
    } else if (p.cmd === 'pubrel') {
      this.#awaitingRel.delete(p.messageId as number);
      this.send({ cmd: 'pubcomp', messageId: p.messageId });
    }
  }

  #deliver(payload: string): void {
    this.received.set(payload, (this.received.get(payload) ?? 0) + 1);
  }
}

interface Flow {
  payload: string;
  qos: 1 | 2;
  /** QoS 2: PUBREC seen, PUBREL sent. */
  released: boolean;
}

/**
 * Publishes `q1-<n>` at QoS 1 and `q2-<n>` at QoS 2, alternately, keeping
 * `window` flows open. A payload is acknowledged at PUBACK (QoS 1) or
 * PUBREC (QoS 2): from then on the broker owns it.
 */
export class DurablePublisher extends DurableClient {
  /** Payloads the broker has acknowledged. */
  readonly acknowledged = new Set<string>();
  /** Payloads sent at least once. */
  readonly sent = new Set<string>();
  readonly #window: number;
  readonly #topic: string;
  readonly #flows = new Map<number, Flow>();
  #n = 0;
  #nextId = 1;
  #publishing = true;

  constructor(port: number, clientId: string, topic: string, window: number) {
    super(port, clientId, 4);
    this.#topic = topic;
    this.#window = window;
  }

  /** Flows still open. */
  get open(): number {
    return this.#flows.size;
  }

  /** Stops starting flows; open ones are still finished. */
  finish(): void {
    this.#publishing = false;
  }

  protected onConnack(_connack: IConnackPacket, again: boolean): void {
    if (again) {
      // Resend in order: PUBLISH with DUP, or PUBREL once PUBREC was seen.
      for (const [id, f] of this.#flows) {
        if (f.released) this.send({ cmd: 'pubrel', messageId: id });
        else this.#publish(id, f, true);
      }
    }
    this.#fill();
  }

  protected onPacket(p: Packet): void {
    const id = (p as { messageId?: number }).messageId as number;
    const f = this.#flows.get(id);
    if (f === undefined) return;
    if (p.cmd === 'puback' && f.qos === 1) {
      this.acknowledged.add(f.payload);
      this.#flows.delete(id);
      this.#fill();
    } else if (p.cmd === 'pubrec' && f.qos === 2) {
      this.acknowledged.add(f.payload);
      f.released = true;
      this.send({ cmd: 'pubrel', messageId: id });
    } else if (p.cmd === 'pubcomp' && f.released) {
      this.#flows.delete(id);
      this.#fill();
    }
  }

  #fill(): void {
    while (this.#publishing && this.#flows.size < this.#window) {
      const qos = this.#n % 2 === 0 ? 1 : 2;
      const f: Flow = { payload: `q${qos}-${this.#n++}`, qos, released: false };
      let id = this.#nextId;
      while (this.#flows.has(id)) id = (id % 65535) + 1;
      this.#nextId = (id % 65535) + 1;
      this.#flows.set(id, f);
      this.sent.add(f.payload);
      this.#publish(id, f, false);
    }
  }

  #publish(id: number, f: Flow, dup: boolean): void {
    this.send({
      cmd: 'publish',
      topic: this.#topic,
      payload: f.payload,
      qos: f.qos,
      messageId: id,
      dup,
      retain: false,
    });
  }
}
