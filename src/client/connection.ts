/**
 * One network connection to the server: a Link, the decoder reading from
 * it, and keepalive. Packets go out through send(); incoming packets go to
 * the current handler, which the client swaps from the handshake to the
 * session once CONNACK arrives (synchronously, so packets that share the
 * CONNACK's chunk reach the right handler).
 *
 * Keepalive follows the spec and libmosquitto: a PINGREQ goes out when
 * nothing was sent, or nothing received, for a whole keepalive interval;
 * a missing PINGRESP after `pingTimeout` ms ends the connection. One timer
 * per connection, re-armed only when it fires: sending costs a Date.now().
 */
import {
  encode,
  type Packet,
  PacketDecoder,
  PacketType,
  ProtocolError,
  type ProtocolVersion,
  type ReasonCode,
} from '../protocol/index.js';
import {
  type MqttError,
  ProtocolViolationError,
  TransportError,
  transportError,
} from './errors.js';
import type { Link } from './link.js';

export interface ConnectionHandler {
  onPacket(packet: Packet): void;
  /** The connection is gone; `error` says why (undefined: we closed it). */
  onClose(error: MqttError | undefined): void;
  onDrain(): void;
}

/** Observers for packet tracing ('packetsend'/'packetreceive' events). */
export interface PacketTap {
  sent?: (packet: Packet) => void;
  received?: (packet: Packet) => void;
}

export class Connection {
  readonly version: ProtocolVersion;
  handler: ConnectionHandler;
  readonly #link: Link;
  readonly #decoder: PacketDecoder;
  readonly #tap: PacketTap;
  #closed = false;
  /** We ended it (end/destroy/violation), as opposed to the server. */
  #closing = false;
  #closeError: MqttError | undefined;
  #keepaliveMs = 0;
  #pingTimeoutMs = 0;
  #lastSent = Date.now();
  #lastReceived = Date.now();
  #timer: NodeJS.Timeout | undefined;
  #pingOutstanding = false;
  /** Set on CONNACK, when keepalive starts. */
  #sessionStarted = false;

  constructor(
    link: Link,
    version: ProtocolVersion,
    maxPacketSize: number,
    handler: ConnectionHandler,
    tap: PacketTap,
  ) {
    this.version = version;
    this.handler = handler;
    this.#link = link;
    this.#tap = tap;
    this.#decoder = new PacketDecoder(this.#onPacket, {
      side: 'client',
      version,
      maxPacketSize,
    });
    link.start({
      onData: this.#onData,
      onClose: this.#onClose,
      onDrain: () => this.handler.onDrain(),
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True while the transport holds more unsent bytes than it wants. */
  get congested(): boolean {
    return this.#link.congested;
  }

  send(packet: Packet): void {
    if (this.#closed || this.#closing) return;
    this.sendEncoded(packet, encode(packet, this.version));
  }

  /** Sends `packet`, already encoded as `bytes` (to check its size first). */
  sendEncoded(packet: Packet, bytes: Buffer): void {
    // Nothing after end(): it would be a write after the socket's end.
    if (this.#closed || this.#closing) return;
    this.#tap.sent?.(packet);
    this.#lastSent = Date.now();
    this.#link.write(bytes);
  }

  /** Starts keepalive; 0 seconds turns it off [MQTT-3.1.2-10]. */
  startKeepalive(seconds: number, pingTimeoutMs: number): void {
    this.#sessionStarted = true;
    this.#keepaliveMs = seconds * 1000;
    this.#pingTimeoutMs = pingTimeoutMs;
    if (seconds > 0) this.#arm(this.#keepaliveMs);
  }

  /** Sends DISCONNECT (if given) and closes gracefully. */
  end(disconnect?: Packet): void {
    if (this.#closed) return;
    if (disconnect) this.send(disconnect);
    this.#closing = true;
    this.#stopTimer();
    this.#link.end();
  }

  /** Closes at once; `error` is what the handler's onClose will get. */
  destroy(error?: MqttError): void {
    if (this.#closed) return;
    this.#closeError = error;
    this.#closing = true;
    this.#stopTimer();
    this.#link.destroy();
  }

  /**
   * The server broke the protocol: tell an MQTT 5 server why in DISCONNECT
   * [MQTT-4.13.1-1] and close.
   */
  violation(reasonCode: ReasonCode, message: string, cause?: unknown): void {
    if (this.#closed) return;
    const error = new ProtocolViolationError('PROTOCOL_VIOLATION', message, {
      reasonCode,
      cause,
    });
    if (this.version === 5) {
      this.send({ type: PacketType.Disconnect, reasonCode });
      this.#closeError = error;
      this.end();
    } else {
      this.destroy(error);
    }
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#lastReceived = Date.now();
    try {
      this.#decoder.feed(chunk);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.violation(err.reasonCode, `bad packet from server (${err.code})`, err);
    }
  };

  readonly #onPacket = (packet: Packet): void => {
    // Once we have ended the connection, what the server still sends (the
    // rest of a chunk, or bytes before its close) is not read, as
    // libmosquitto closes the socket after its DISCONNECT: no handler acts
    // on it and a -d trace does not show it.
    if (this.#closing) return;
    this.#tap.received?.(packet);
    // Before CONNACK a PINGRESP goes to the handshake, which refuses it.
    if (packet.type === PacketType.Pingresp && this.#sessionStarted) {
      this.#pingOutstanding = false;
      if (this.#keepaliveMs > 0) this.#arm(this.#untilNextPing());
      return;
    }
    this.handler.onPacket(packet);
  };

  readonly #onClose = (error?: Error): void => {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    this.#decoder.stop();
    let reported = this.#closeError;
    if (!reported && error) {
      reported = transportError('CONNECTION_LOST', 'connection lost', error);
    } else if (!reported && !this.#closing) {
      reported = new TransportError(
        'CONNECTION_LOST',
        'the server closed the connection',
      );
    }
    this.handler.onClose(reported);
  };

  #untilNextPing(): number {
    const idle = Date.now() - Math.min(this.#lastSent, this.#lastReceived);
    return Math.max(0, this.#keepaliveMs - idle);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#closed) return;
    if (this.#pingOutstanding) {
      const ms = this.#pingTimeoutMs;
      this.destroy(
        new TransportError('KEEPALIVE_TIMEOUT', `no PINGRESP within ${ms} ms`),
      );
      return;
    }
    const wait = this.#untilNextPing();
    if (wait > 0) {
      this.#arm(wait);
      return;
    }
    this.send({ type: PacketType.Pingreq });
    this.#pingOutstanding = true;
    this.#arm(this.#pingTimeoutMs);
  };

  #arm(ms: number): void {
    this.#stopTimer();
    this.#timer = setTimeout(this.#onTimer, ms);
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
