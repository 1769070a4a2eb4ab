/**
 * midge's MQTT client library: MQTT 3.1, 3.1.1 and 5.0 over TCP, TLS,
 * TLS-PSK, WebSocket, Unix sockets and SOCKS5. See docs/client.md.
 *
 * @example
 * import { connect } from 'midge/client';
 * const client = await connect({ host: '127.0.0.1', port: 1883 });
 * client.on('message', (m) => console.log(m.topic, m.payload.toString()));
 * await client.subscribe('sensors/#', { qos: 1 });
 */

// The codec's names a client user needs: reason codes and properties.
export {
  ConnectReturnCode,
  type Properties,
  type ProtocolVersion,
  type QoS,
  ReasonCode,
} from '../protocol/index.js';
export type { AuthChallenge, AuthHandler, AuthResponse } from './auth.js';
export { connect, MqttClient } from './client.js';
export type {
  ClientEvents,
  ClientState,
  DisconnectOptions,
  GrantedSubscription,
  ReconnectInfo,
  ServerDisconnect,
  SubscribeResult,
  UnsubscribeResult,
} from './client-types.js';
export {
  AuthError,
  ClientClosedError,
  ConnectionRefusedError,
  MqttError,
  type MqttErrorCode,
  ProtocolViolationError,
  PublishError,
  ServerDisconnectError,
  TransportError,
  UsageError,
} from './errors.js';
export type { ConnectResult } from './handshake.js';
export type { Message } from './inbound.js';
export type {
  ClientOptions,
  PskOptions,
  ReconnectOptions,
  TcpKeepalive,
  TlsOptions,
  TlsVersion,
  Transport,
  WebSocketOptions,
  WillOptions,
} from './options.js';
export type { PublishResult } from './outbound.js';
export type {
  Payload,
  PublishOptions,
  SubscribeInput,
  SubscribeOptions,
  SubscriptionRequest,
} from './requests-build.js';
export { ClientSession } from './session.js';
export { parseProxyUrl } from './transport/socks5.js';
export { tcpSocketOptionsSupported } from './transport/tcp-options.js';
