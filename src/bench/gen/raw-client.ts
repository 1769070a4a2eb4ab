/**
 * One MQTT connection of the generator over node:net, driven by the frame
 * scanner. Subclasses decide what to do with PUBLISH and ack packets; this
 * class does the handshake, gathers outgoing acks per chunk and records
 * the first socket error.
 */
import { connect, type Socket } from 'node:net';
import {
  PacketDecoder,
  PacketType,
  type ProtocolVersion,
  type QoS,
} from '../../protocol/index.js';
import { Counter } from './counters.js';
import {
  AckWriter,
  connectPacket,
  disconnectPacket,
  FrameScanner,
  type FrameSink,
  subscribePacket,
} from './wire.js';

/** Receive Maximum of a 5.0 CONNACK body, decoded by midge's codec. */
function receiveMaximum(body: Buffer): number {
  let found = 65535;
  const decoder = new PacketDecoder(
    (packet) => {
      if (packet.type === PacketType.Connack) {
        found = packet.properties?.receiveMaximum ?? 65535;
      }
    },
    { side: 'client', version: 5 },
  );
  const size = body.length;
  const length = size < 128 ? [size] : [(size & 0x7f) | 0x80, size >> 7];
  decoder.feed(Buffer.concat([Buffer.from([0x20, ...length]), body]));
  return found;
}

export interface ClientOptions {
  port: number;
  clientId: string;
  version: ProtocolVersion;
  counters: Float64Array;
  /** Source address, to spread many connections over 127.0.0.0/8. */
  localAddress?: string;
  /** false: ask for a persistent session (Clean Session/Start 0). */
  clean?: boolean;
}

/**
 * Every socket of a thread reads into this one buffer: a chunk is scanned
 * at once and never kept, so nothing is allocated per read.
 */
const readBuffer = Buffer.allocUnsafe(256 * 1024);

const connackType = 2;
const subackType = 9;
const handshakeTimeoutMs = 15_000;

export class RawClient implements FrameSink {
  readonly socket: Socket;
  readonly options: ClientOptions;
  protected readonly acks = new AckWriter();
  readonly #scanner: FrameScanner;
  #waiter: { type: number; resolve: (body: Buffer) => void } | null = null;
  #closedBy: ((reason: Error) => void) | null = null;
  error: string | null = null;
  closed = false;
  /**
   * QoS 1/2 messages the broker accepts unacknowledged: its 5.0 Receive
   * Maximum. 3.1.1 has no way to say it, though brokers still enforce
   * one (Mosquitto and midge refuse a QoS 2 message beyond 20 in flight).
   */
  receiveMaximum = 65535;

  constructor(options: ClientOptions) {
    this.options = options;
    this.#scanner = new FrameScanner(this, options.version);
    this.socket = connect({
      port: options.port,
      host: '127.0.0.1',
      localAddress: options.localAddress,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (size: number, buf: Uint8Array) => {
          this.#data(Buffer.from(buf.buffer, buf.byteOffset, size));
          return true;
        },
      },
    });
    this.socket.on('error', (err) => {
      this.error ??= err.message;
      this.options.counters[Counter.Errors]!++;
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.#closedBy?.(new Error(this.error ?? 'connection closed by the broker'));
      this.onClose();
    });
  }

  /** Sends CONNECT and resolves on a successful CONNACK. */
  async handshake(keepAlive = 300): Promise<void> {
    const { clientId, version } = this.options;
    const clean = this.options.clean ?? true;
    this.socket.write(connectPacket(clientId, version, keepAlive, clean));
    const body = await this.#expect(connackType);
    if (body[1] !== 0) throw new Error(`CONNACK refused with code ${body[1]}`);
    if (version === 5) this.receiveMaximum = receiveMaximum(body);
    this.options.counters[Counter.Connected]!++;
  }

  /** Sends one SUBSCRIBE and resolves on its SUBACK (any failure rejects). */
  async subscribe(filters: readonly string[], qos: QoS): Promise<void> {
    this.socket.write(subscribePacket(filters, qos, this.options.version));
    const body = await this.#expect(subackType);
    const codesAt = this.options.version === 5 ? 3 + body[2]! : 2;
    for (let i = codesAt; i < body.length; i++) {
      if (body[i]! >= 0x80) throw new Error(`SUBSCRIBE refused with code ${body[i]}`);
    }
  }

  /** DISCONNECT, then waits (briefly) for the broker to close first. */
  async disconnect(): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
    });
    this.socket.end(disconnectPacket(this.options.version));
    const timer = setTimeout(() => this.socket.destroy(), 2000);
    await closed;
    clearTimeout(timer);
  }

  onPublish(_flags: number, _packetId: number, _buf: Buffer, _at: number): void {}
  onAck(_type: number, _packetId: number): void {}
  onControl(type: number, body: Buffer): void {
    const waiter = this.#waiter;
    if (waiter?.type !== type) return;
    this.#waiter = null;
    waiter.resolve(Buffer.from(body));
  }

  /** Called before a chunk is scanned (subscribers read the clock here). */
  protected beforeChunk(): void {}
  /** Called after a chunk is scanned and its acks written. */
  protected afterChunk(): void {}
  protected onClose(): void {}

  #data(chunk: Buffer): void {
    this.beforeChunk();
    this.#scanner.feed(chunk);
    const acks = this.acks.take();
    if (acks !== null && !this.socket.destroyed) this.socket.write(acks);
    this.afterChunk();
  }

  #expect(type: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error(this.error ?? 'connection closed'));
        return;
      }
      const timer = setTimeout(() => {
        this.socket.destroy();
        reject(
          new Error(`no answer to ${type === connackType ? 'CONNECT' : 'SUBSCRIBE'}`),
        );
      }, handshakeTimeoutMs);
      const done = (body: Buffer) => {
        clearTimeout(timer);
        this.#closedBy = null;
        resolve(body);
      };
      this.#waiter = { type, resolve: done };
      this.#closedBy = (reason) => {
        clearTimeout(timer);
        reject(reason);
      };
    });
  }
}
