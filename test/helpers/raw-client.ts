/**
 * A raw MQTT client for black-box tests: a real TCP socket, exact bytes or
 * packet objects out, decoded packets in. Encoding and decoding use the
 * third-party `mqtt-packet` codec, so the broker is judged by a codec it
 * does not share. Nothing is automatic: no PINGREQ, no acknowledgements, no
 * reconnect; a test sends every byte the broker sees.
 *
 *   const c = await RawClient.connect(t, port, { version: 5 });
 *   c.send({ cmd: 'connect', clientId: 'a', protocolVersion: 5 });
 *   const connack = await c.expect('connack');
 *   await c.expectClosed();
 */
import assert from 'node:assert/strict';
import { type Socket, connect as tcpConnect } from 'node:net';
import type { TestContext } from 'node:test';
import {
  generate,
  type IConnackPacket,
  type IConnectPacket,
  type IPublishPacket,
  type ISubscription,
  type Packet,
  type PacketCmd,
  parser,
} from 'mqtt-packet';

export type Version = 3 | 4 | 5;
export type PacketOf<C extends PacketCmd> = Extract<Packet, { cmd: C }>;

/** A packet to send: PUBLISH may leave out `dup` and `retain` (false). */
export type OutPacket =
  | Exclude<Packet, IPublishPacket>
  | (Omit<IPublishPacket, 'dup' | 'retain'> &
      Partial<Pick<IPublishPacket, 'dup' | 'retain'>>);

/** How long an expectation waits by default, in milliseconds. */
export const defaultWait = 2000;

export interface RawOptions {
  /** Protocol version used to decode and encode packets (default 4). */
  version?: Version;
}

export interface SessionOptions extends Omit<Partial<IConnectPacket>, 'cmd'> {
  /** Fail unless the CONNACK says success (default true). */
  mustSucceed?: boolean;
}

type Waiter = () => void;

export class RawClient {
  /** The CONNACK that {@link RawClient.session} received. */
  connack?: IConnackPacket;
  #socket: Socket;
  #received: Packet[] = [];
  #bytes: Buffer[] = [];
  #closed = false;
  #parseError?: Error;
  #waiters = new Set<Waiter>();
  #nextId = 1;
  // mqtt-packet's parser keeps this object and reads the version from it.
  #settings: { protocolVersion: Version };

  private constructor(socket: Socket, version: Version) {
    this.#socket = socket;
    this.#settings = { protocolVersion: version };
    const decoder = parser(this.#settings);
    decoder.on('packet', (packet: Packet) => this.#push(packet));
    decoder.on('error', (error: Error) => {
      this.#parseError ??= error;
      this.#wake();
    });
    socket.on('data', (chunk: Buffer) => {
      this.#bytes.push(chunk);
      decoder.parse(chunk);
    });
    socket.on('error', () => {
      // A reset by the broker counts as a close; 'close' follows.
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
  }

  /** Opens a TCP connection to 127.0.0.1:port; closed when the test ends. */
  static connect(t: TestContext, port: number, options: RawOptions = {}) {
    return new Promise<RawClient>((resolve, reject) => {
      const socket = tcpConnect(port, '127.0.0.1');
      t.after(() => {
        socket.destroy();
      });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new RawClient(socket, options.version ?? 4));
      });
    });
  }

  /**
   * Connects, sends CONNECT (clean, keepalive 0 unless given) and waits for
   * the CONNACK, which is kept in `connack`.
   */
  static async session(t: TestContext, port: number, options: SessionOptions = {}) {
    const { mustSucceed = true, ...fields } = options;
    const version = (fields.protocolVersion ?? 4) as Version;
    const client = await RawClient.connect(t, port, { version });
    client.send({
      cmd: 'connect',
      clientId: '',
      keepalive: 0,
      protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
      ...fields,
      protocolVersion: version,
    });
    client.connack = await client.expect('connack');
    if (mustSucceed) {
      const code = client.connack.reasonCode ?? client.connack.returnCode;
      assert.equal(code, 0, `CONNACK refused with ${code}`);
    }
    return client;
  }

  /** Protocol version for the codec; a CONNECT sent sets it. */
  get version(): Version {
    return this.#settings.protocolVersion;
  }

  set version(version: Version) {
    this.#settings.protocolVersion = version;
  }

  get closed() {
    return this.#closed;
  }

  /** A fresh packet identifier (1, 2, ...) for this client. */
  nextId() {
    const id = this.#nextId;
    this.#nextId = (this.#nextId % 65535) + 1;
    return id;
  }

  /** Sends a packet object (encoded for `version`) or exact bytes. */
  send(packet: OutPacket | Buffer) {
    if (!Buffer.isBuffer(packet) && packet.cmd === 'connect') {
      this.version = (packet.protocolVersion ?? 4) as Version;
    }
    const bytes = Buffer.isBuffer(packet)
      ? packet
      : generate(packet as Packet, { protocolVersion: this.version });
    if (!this.#closed) this.#socket.write(bytes);
  }

  /** Sends hex bytes, spaces allowed: `c.sendHex('e0 00')`. */
  sendHex(hex: string) {
    this.send(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
  }

  /** The next packet, whatever it is; fails on close or after `ms`. */
  async next(ms = defaultWait): Promise<Packet> {
    await this.#until(() => this.#received.length > 0 || this.#ended(), ms, 'a packet');
    const packet = this.#received.shift();
    if (packet) return packet;
    throw this.#endError('a packet');
  }

  /** The next packet, which must be a `cmd`. */
  async expect<C extends PacketCmd>(cmd: C, ms = defaultWait): Promise<PacketOf<C>> {
    const packet = await this.next(ms).catch((error: Error) => {
      throw new Error(`expected ${cmd}: ${error.message}`);
    });
    assert.equal(packet.cmd, cmd, `expected ${cmd}, got ${showPacket(packet)}`);
    return packet as PacketOf<C>;
  }

  /** Waits for the broker to close the connection, with nothing unread. */
  async expectClosed(ms = defaultWait) {
    await this.#until(() => this.#closed, ms, 'the connection to close').catch(
      (error: Error) => {
        const unread = this.#received.map(showPacket).join(', ');
        throw new Error(`${error.message}${unread ? `; unread: ${unread}` : ''}`);
      },
    );
    assert.deepEqual(this.#received.map(showPacket), [], 'packets before the close');
  }

  /** Passes if no packet arrives and the connection stays open for `ms`. */
  async expectNothing(ms = 300) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    assert.deepEqual(this.#received.map(showPacket), [], 'unexpected packets');
    assert.ok(!this.#parseError, `undecodable bytes: ${this.#parseError?.message}`);
    assert.ok(!this.#closed, 'the connection was closed');
  }

  /** Subscribes and waits for the SUBACK; returns its granted codes. */
  async subscribe(
    topics: string | ISubscription | ISubscription[],
    qos: 0 | 1 | 2 = 0,
    properties?: { subscriptionIdentifier?: number },
  ) {
    const list = typeof topics === 'string' ? [{ topic: topics, qos }] : [topics].flat();
    const messageId = this.nextId();
    this.send({ cmd: 'subscribe', messageId, subscriptions: list, properties });
    const suback = await this.expect('suback');
    assert.equal(suback.messageId, messageId, 'SUBACK packet identifier');
    return suback.granted as number[];
  }

  /** Sends DISCONNECT (optionally with a reason code) and ends the socket. */
  disconnect(reasonCode?: number, properties?: { sessionExpiryInterval?: number }) {
    this.send({ cmd: 'disconnect', reasonCode, properties });
    this.#socket.end();
  }

  /** Drops the connection without DISCONNECT, as a crash would. */
  close() {
    this.#socket.destroy();
  }

  /** Every byte received so far, for exact-byte checks. */
  receivedBytes() {
    return Buffer.concat(this.#bytes);
  }

  /** Packets received and not yet read, for diagnostics. */
  unread() {
    return [...this.#received];
  }

  #push(packet: Packet) {
    this.#received.push(packet);
    this.#wake();
  }

  #wake() {
    for (const wake of this.#waiters) wake();
  }

  #ended() {
    return this.#closed || this.#parseError !== undefined;
  }

  #endError(what: string) {
    if (this.#parseError) {
      return new Error(
        `undecodable bytes instead of ${what}: ${this.#parseError.message}`,
      );
    }
    return new Error(`connection closed instead of ${what}`);
  }

  #until(done: () => boolean, ms: number, what: string) {
    if (done()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`waited ${ms} ms for ${what}`));
      }, ms);
      this.#waiters.add(check);
    });
  }
}

/** A short text for a packet in failure messages. */
export function showPacket(packet: Packet): string {
  const { cmd } = packet;
  const fields = Object.entries(packet)
    .filter(([key, value]) => key !== 'cmd' && key !== 'length' && value !== undefined)
    .map(([key, value]) => `${key}=${show(value)}`);
  return `${cmd}{${fields.join(' ')}}`;
}

function show(value: unknown): string {
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString());
  return JSON.stringify(value);
}

/** Bytes from hex with spaces: `hex('10 0c 00 04')`. */
export function hex(text: string) {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}
