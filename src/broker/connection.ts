/**
 * One network connection: the transport, its decoder, the state of the
 * MQTT conversation and the client's announced limits. Every inbound packet
 * goes through `#dispatch` to one handler per packet type (./handlers).
 */

import { noteBytesRead } from '../io/gc-pacing.js';
import { LogType } from '../log/log-types.js';
import {
  encode,
  type Packet,
  PacketDecoder,
  PacketType,
  ProtocolError,
  type ProtocolVersion,
  ReasonCode,
} from '../protocol/index.js';
import type { BrokerCore } from './core.js';
import type { FlowState } from './flow-control.js';
import { handleAuth } from './handlers/auth.js';
import type { ConnectRequest } from './handlers/connect.js';
import { handleConnect } from './handlers/connect.js';
import { handleDisconnect } from './handlers/disconnect.js';
import { handlePuback, handlePubcomp, handlePubrec } from './handlers/outgoing-acks.js';
import { handlePingreq } from './handlers/ping.js';
import { handlePublish } from './handlers/publish.js';
import { handlePubrel } from './handlers/pubrel.js';
import { handleSubscribe } from './handlers/subscribe.js';
import { handleUnsubscribe } from './handlers/unsubscribe.js';
import type { ClientInfo } from './hooks.js';
import type { StoredMessage } from './message.js';
import type { ListenerSettings } from './options.js';
import type { Session } from './session.js';
import type { Transport, TransportHandlers } from './transport.js';

/**
 * Bytes of replies a client may leave unread before the broker stops
 * reading from it; reading resumes as soon as they drain, so a client that
 * reads is not slowed. Kept small because each queued write costs far more
 * memory than its bytes: a million 2-byte PINGRESPs hold tens of MB.
 */
const READ_PAUSE_BYTES = 256 * 1024;

export enum ConnState {
  /** Waiting for CONNECT. */
  New = 0,
  /** CONNECT received; authentication (possibly async) under way. */
  Authenticating = 1,
  /** CONNACK sent: the session is attached. */
  Connected = 2,
  Closed = 3,
}

/** A will as given in CONNECT, kept until the connection ends. */
export interface WillSpec {
  message: StoredMessage;
  /** 5.0 Will Delay Interval, seconds. */
  delay: number;
  /** 5.0 Message Expiry Interval of the will, seconds; 0 = none. */
  expiry: number;
}

export class Connection implements ClientInfo, TransportHandlers {
  readonly transport: Transport;
  readonly listener: ListenerSettings;
  readonly core: BrokerCore;
  state = ConnState.New;
  protocolVersion: ProtocolVersion = 4;
  clientId = '';
  username: string | undefined = undefined;
  /**
   * The CONNECT's password, kept so a configuration reload can check the
   * client again (as Mosquitto does); never logged.
   */
  password: Buffer | undefined = undefined;
  /** The username came from a checked TLS certificate or PSK identity. */
  identityVerified = false;
  session: Session | null = null;
  /** Effective keepalive in seconds; 0 = none. */
  keepAlive = 0;
  lastReceived: number;
  readonly openedAt: number;
  will: WillSpec | undefined = undefined;
  /** Client limits (5.0 CONNECT properties). 0 = no limit. */
  receiveMaximum = 65535;
  maximumPacketSize = 0;
  /** Aliases the broker may give this client's topics (5.0; see connect.ts). */
  topicAliasMaximum = 0;
  /** Topic aliases the client set up (5.0), and those the broker did. */
  inAliases: Map<number, string> | undefined = undefined;
  outAliases: Map<string, number> | undefined = undefined;
  /** 5.0 enhanced authentication method in use, if any. */
  authMethod: string | undefined = undefined;
  /** A 3.x bridge announced by bit 0x80 of the protocol level. */
  isBridge = false;
  /** Session Expiry Interval the CONNECT asked for (5.0). */
  connectExpiry = 0;
  /** A 5.0 re-authentication exchange is under way. */
  reauthenticating = false;
  /** The CONNECT being authenticated. */
  connectRequest: ConnectRequest | undefined = undefined;
  /** Back-pressure state (./flow-control.ts), made on first need. */
  flow: FlowState | undefined = undefined;
  /** Packets that arrived while an async step (authentication) ran. */
  #held: Packet[] | null = null;
  readonly #decoder: PacketDecoder;

  constructor(core: BrokerCore, transport: Transport, listener: ListenerSettings) {
    this.core = core;
    this.transport = transport;
    this.listener = listener;
    this.openedAt = Date.now();
    this.lastReceived = this.openedAt;
    this.#decoder = new PacketDecoder(deliverPacket, {
      side: 'server',
      maxPacketSize: core.options.maxPacketSize,
      receiver: this,
    });
  }

  get remoteAddress(): string {
    return this.transport.remoteAddress;
  }

  get remotePort(): number {
    return this.transport.remotePort;
  }

  /**
   * The id for log lines. A client's id is its own only once it is let in
   * (CONNACK sent): until then Mosquitto writes '<unknown>', whatever id
   * the CONNECT gave.
   */
  get logId(): string {
    return this.state === ConnState.Connected && this.clientId !== ''
      ? this.clientId
      : '<unknown>';
  }

  start(): void {
    // The connection is its own handlers object: no closures per client.
    this.transport.start(this);
  }

  /** For the transport alone (TransportHandlers). */
  onData(chunk: Buffer): void {
    this.#onData(chunk);
  }

  /** For the transport alone (TransportHandlers). */
  onDrain(): void {
    this.#resumeIfClear();
    this.core.flow.checkDrained(this);
  }

  /** For the transport alone (TransportHandlers). */
  onClose(hadError: boolean): void {
    this.core.onTransportClosed(this, hadError);
  }

  /** For the decoder alone. */
  onPacket(packet: Packet): void {
    this.#onPacket(packet);
  }

  /** Encodes and queues one packet. */
  send(packet: Packet): void {
    this.write(encode(packet, this.protocolVersion));
  }

  /**
   * Queues one encoded packet: `buf`, then `body` if given (a large payload
   * sent as a buffer of its own rather than copied into the packet).
   */
  write(buf: Buffer, body?: Buffer): void {
    if (this.state === ConnState.Closed) return;
    this.transport.write(buf);
    let bytes = buf.length;
    if (body !== undefined) {
      this.transport.write(body);
      bytes += body.length;
    }
    const stats = this.core.stats;
    stats.messagesSent++;
    stats.bytesSent += bytes;
  }

  /**
   * Ends the connection from the broker's side. A 5.0 client past CONNACK
   * is told why with DISCONNECT first [MQTT-4.13.2-1]; the will is
   * published, as for any close without the client's DISCONNECT.
   */
  close(reason: ReasonCode | undefined, words: string | undefined): void {
    if (this.state === ConnState.Closed) return;
    if (words !== undefined) this.logClient(words);
    if (
      reason !== undefined &&
      this.protocolVersion === 5 &&
      this.state === ConnState.Connected
    ) {
      this.send({ type: PacketType.Disconnect, reasonCode: reason });
    }
    this.core.guarded(() => this.core.endConnection(this, true));
    this.transport.end();
  }

  /** True if connect and disconnect lines are logged. */
  get connectionLogging(): boolean {
    return (
      this.core.options.connectionMessages &&
      (this.core.logger.mask & LogType.Notice) !== 0
    );
  }

  /** Logs "Client <id> <words>", if connection messages are on. */
  logClient(words: string): void {
    if (this.connectionLogging) {
      this.core.logger.write(LogType.Notice, `Client ${this.logId} ${words}`);
    }
  }

  /**
   * Holds inbound packets until `release` (async authentication). Reading
   * stops meanwhile, so what is held is at most what one read brought.
   */
  hold(): void {
    if (this.#held === null) this.#held = [];
    this.transport.pause?.();
  }

  /** Processes held packets, until one starts another async step. */
  release(): void {
    const held = this.#held;
    this.#held = null;
    if (held === null) return;
    this.#resumeIfClear();
    for (let i = 0; i < held.length; i++) {
      if (this.state === ConnState.Closed) return;
      this.#dispatchSafely(held[i] as Packet);
      const again = this.#heldPackets();
      if (again !== null) {
        again.push(...held.slice(i + 1));
        return;
      }
    }
  }

  /** False for transports that cannot stop reading (bridges' links). */
  get canPause(): boolean {
    const t = this.transport;
    return t.pausable ?? t.pause !== undefined;
  }

  /**
   * Flow control: stop reading after the packet being handled; the rest
   * of the chunk waits in the decoder.
   */
  pauseForFlow(): void {
    this.#decoder.suspend();
    this.transport.pause?.();
  }

  /** Flow control: go on from where `pauseForFlow` stopped. */
  resumeAfterFlow(): void {
    if (this.state === ConnState.Closed) return;
    // Its keepalive packets were waiting unread.
    this.lastReceived = Date.now();
    try {
      this.#decoder.resume();
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#resumeIfClear();
  }

  #heldPackets(): Packet[] | null {
    return this.#held;
  }

  /** The version the decoder settled on, even for a refused CONNECT. */
  get decoderVersion(): ProtocolVersion {
    return this.#decoder.version;
  }

  stopDecoder(): void {
    this.#decoder.stop();
  }

  setMaxPacketSize(size: number): void {
    this.#decoder.maxPacketSize = size;
  }

  #onData(chunk: Buffer): void {
    if (this.state === ConnState.Closed) return;
    this.core.stats.bytesReceived += chunk.length;
    this.lastReceived = Date.now();
    try {
      this.#decoder.feed(chunk);
    } catch (err) {
      this.#fail(err);
    }
    noteBytesRead(chunk.length);
    // A client that does not read its replies (PINGRESP, PUBACK...) is not
    // read from until it does: its own sends then block, not our memory.
    if (this.transport.bufferedBytes > READ_PAUSE_BYTES) {
      this.transport.pause?.();
    }
  }

  /** Reading starts again once replies have drained and nothing is held. */
  #resumeIfClear(): void {
    if (this.#held !== null || this.state === ConnState.Closed) return;
    if (this.#decoder.suspended) return;
    if (this.transport.bufferedBytes > READ_PAUSE_BYTES) return;
    this.transport.resume?.();
  }

  #onPacket(packet: Packet): void {
    this.core.stats.messagesReceived++;
    if (this.#held !== null) {
      this.#held.push(packet);
      return;
    }
    this.#dispatch(packet);
  }

  #dispatchSafely(packet: Packet): void {
    try {
      this.#dispatch(packet);
    } catch (err) {
      this.#fail(err);
    }
  }

  #dispatch(packet: Packet): void {
    if (this.state === ConnState.Closed) return;
    if (packet.type === PacketType.Connect) {
      handleConnect(this, packet);
      return;
    }
    if (this.state !== ConnState.Connected) {
      if (packet.type === PacketType.Auth && this.state === ConnState.Authenticating) {
        handleAuth(this, packet);
        return;
      }
      // The first packet must be CONNECT [MQTT-3.1.0-1].
      throw new ProtocolError(ReasonCode.ProtocolError, 'NOT_CONNECTED', 'no CONNECT');
    }
    switch (packet.type) {
      case PacketType.Publish:
        this.core.flow.blocker = null;
        handlePublish(this, packet);
        this.#afterRouting();
        break;
      case PacketType.Puback:
        handlePuback(this, packet);
        break;
      case PacketType.Pubrec:
        handlePubrec(this, packet);
        break;
      case PacketType.Pubrel:
        this.core.flow.blocker = null;
        handlePubrel(this, packet);
        this.#afterRouting();
        break;
      case PacketType.Pubcomp:
        handlePubcomp(this, packet);
        break;
      case PacketType.Subscribe:
        handleSubscribe(this, packet);
        break;
      case PacketType.Unsubscribe:
        handleUnsubscribe(this, packet);
        break;
      case PacketType.Pingreq:
        handlePingreq(this);
        break;
      case PacketType.Disconnect:
        handleDisconnect(this, packet);
        break;
      case PacketType.Auth:
        handleAuth(this, packet);
        break;
      default:
        throw new ProtocolError(
          ReasonCode.ProtocolError,
          'UNEXPECTED',
          'unexpected packet',
        );
    }
  }

  /** The message just routed reached a backed-up subscriber. */
  #afterRouting(): void {
    const flow = this.core.flow;
    if (flow.blocker !== null) flow.holdBack(this);
  }

  /** Bad input (or a bug): close with the reason Mosquitto would give. */
  #fail(err: unknown): void {
    this.#decoder.stop();
    if (this.state === ConnState.Closed) return;
    if (!(err instanceof ProtocolError)) {
      const log = this.core.logger;
      if (log.mask & LogType.Error) {
        log.write(
          LogType.Error,
          `Error handling packet from ${this.logId}: ${String(err)}`,
        );
      }
      this.close(ReasonCode.UnspecifiedError, undefined);
      return;
    }
    if (this.state === ConnState.Connected) {
      this.close(err.reasonCode, failureWords(err.reasonCode));
      return;
    }
    this.core.refuseConnect(this, err);
  }
}

/** Every connection's decoder callback: one function, not a closure each. */
function deliverPacket(this: Connection, packet: Packet): void {
  this.onPacket(packet);
}

/** How Mosquitto's log names the cause of a close for bad input. */
export function failureWords(reason: ReasonCode): string {
  switch (reason) {
    case ReasonCode.MalformedPacket:
      return 'disconnected due to malformed packet.';
    case ReasonCode.PacketTooLarge:
      return 'disconnected due to oversize packet.';
    case ReasonCode.QoSNotSupported:
    case ReasonCode.RetainNotSupported:
      return (
        'disconnected due to using not allowed feature ' +
        '(QoS too high, retain not supported, or bad AUTH method).'
      );
    default:
      return 'disconnected due to protocol error.';
  }
}
