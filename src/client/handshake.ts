/**
 * CONNECT to CONNACK on a fresh Link, with any AUTH exchange in between
 * (MQTT 3.1.4, 4.12). On a successful CONNACK the `established` callback
 * runs synchronously, before any packet that shared the CONNACK's chunk
 * is dispatched, so the session takes over without a gap.
 */
import {
  type AuthPacket,
  type ConnackPacket,
  ConnectReturnCode,
  type Packet,
  PacketType,
  type Properties,
  ReasonCode,
} from '../protocol/index.js';
import { answerChallenge } from './auth.js';
import { connectPacket } from './connect-packet.js';
import { Connection, type ConnectionHandler, type PacketTap } from './connection.js';
import {
  ConnectionRefusedError,
  type MqttError,
  ServerDisconnectError,
  TransportError,
} from './errors.js';
import type { Link } from './link.js';
import type { ResolvedOptions } from './options.js';

export interface ConnectResult {
  sessionPresent: boolean;
  /** CONNACK reason code (5.0) or return code (3.x): 0 here. */
  reasonCode: number;
  /** 5.0 CONNACK properties (assignedClientIdentifier, limits...). */
  properties?: Properties;
  /** The id in use: the one sent, or the one the server assigned. */
  clientId: string;
}

export type Established = (conn: Connection, result: ConnectResult) => void;

export class Handshake implements ConnectionHandler {
  readonly promise: Promise<ConnectResult>;
  readonly #conn: Connection;
  readonly #options: ResolvedOptions;
  readonly #clientId: string;
  readonly #established: Established;
  #resolve!: (result: ConnectResult) => void;
  #reject!: (error: MqttError) => void;
  #done = false;

  constructor(
    link: Link,
    options: ResolvedOptions,
    clientId: string,
    tap: PacketTap,
    established: Established,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#options = options;
    this.#clientId = clientId;
    this.#established = established;
    const maxPacketSize = options.properties?.maximumPacketSize ?? 0;
    const version = options.protocolVersion;
    this.#conn = new Connection(link, version, maxPacketSize, this, tap);
    this.#conn.send(connectPacket(options, clientId));
  }

  /** Gives up (timeout, disconnect()): closes and rejects with `error`. */
  abort(error: MqttError): void {
    if (this.#done) return;
    this.#conn.destroy(error);
  }

  onPacket(packet: Packet): void {
    if (this.#done) return;
    switch (packet.type) {
      case PacketType.Connack:
        this.#onConnack(packet);
        return;
      case PacketType.Auth:
        this.#onAuth(packet);
        return;
      case PacketType.Disconnect:
        this.#conn.destroy(serverDisconnect(packet.reasonCode, packet.properties));
        return;
      default:
        // [MQTT-3.2.0-1] the server's first packet is CONNACK.
        this.#conn.violation(
          ReasonCode.ProtocolError,
          `${PacketType[packet.type]} before CONNACK`,
        );
    }
  }

  onClose(error: MqttError | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.#reject(
      error ?? new TransportError('CONNECTION_LOST', 'connection closed before CONNACK'),
    );
  }

  onDrain(): void {}

  #onConnack(packet: ConnackPacket): void {
    const version = this.#conn.version;
    const code = packet.reasonCode;
    const refused = version === 5 ? code >= 0x80 : code !== ConnectReturnCode.Accepted;
    if (refused) {
      const name = version === 5 ? ReasonCode[code] : ConnectReturnCode[code];
      const error = new ConnectionRefusedError(
        'CONNACK_REFUSED',
        `connection refused: ${name ?? code}`,
        { reasonCode: code, properties: packet.properties },
      );
      this.#conn.destroy(error);
      return;
    }
    const props = packet.properties;
    const result: ConnectResult = {
      sessionPresent: packet.sessionPresent,
      reasonCode: code,
      clientId: props?.assignedClientIdentifier ?? this.#clientId,
    };
    if (props) result.properties = props;
    this.#done = true;
    this.#established(this.#conn, result);
    this.#resolve(result);
  }

  #onAuth(packet: AuthPacket): void {
    if (packet.reasonCode !== ReasonCode.ContinueAuthentication) {
      // Only ContinueAuthentication may come before CONNACK (4.12).
      this.#conn.violation(
        ReasonCode.ProtocolError,
        'AUTH without Continue before CONNACK',
      );
      return;
    }
    const method = this.#options.properties?.authenticationMethod;
    void answerChallenge(this.#conn, packet, method, this.#options.auth, false);
  }
}

export function serverDisconnect(
  reasonCode: number | undefined,
  properties: Properties | undefined,
): ServerDisconnectError {
  const code = reasonCode ?? ReasonCode.Success;
  const reason = properties?.reasonString ? ` (${properties.reasonString})` : '';
  return new ServerDisconnectError(
    'SERVER_DISCONNECT',
    `server sent DISCONNECT: ${ReasonCode[code] ?? code}${reason}`,
    { reasonCode: code, properties },
  );
}
