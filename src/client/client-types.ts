/**
 * The types of MqttClient's calls, results and events.
 */
import type { Packet, Properties, QoS } from '../protocol/index.js';
import type { MqttError } from './errors.js';
import type { ConnectResult } from './handshake.js';
import type { Message } from './inbound.js';

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface GrantedSubscription {
  topic: string;
  /** Granted QoS (0-2) or a failure code (>= 0x80). */
  reasonCode: number;
  /** The granted QoS, absent when the subscription failed. */
  qos?: QoS;
}

export interface SubscribeResult {
  packetId: number;
  granted: GrantedSubscription[];
  properties?: Properties;
}

export interface UnsubscribeResult {
  packetId: number;
  /** One per filter; always Success in MQTT 3.x (no codes there). */
  reasonCodes: number[];
  properties?: Properties;
}

export interface DisconnectOptions {
  /** 5.0 reason code; default NormalDisconnection. */
  reasonCode?: number;
  /** 5.0: sessionExpiryInterval, reasonString, userProperties. */
  properties?: Properties;
}

export interface ServerDisconnect {
  reasonCode: number;
  properties?: Properties;
}

export interface ReconnectInfo {
  /** 1 for the first attempt after a loss. */
  attempt: number;
  /** ms until the attempt. */
  delay: number;
  /** Why the connection or the previous attempt failed. */
  error?: MqttError;
}

export interface ClientEvents {
  /** A CONNACK accepted the connection (first connect and reconnects). */
  connect: (result: ConnectResult) => void;
  message: (message: Message) => void;
  /** The server sent DISCONNECT (5.0); 'close' follows. */
  disconnect: (info: ServerDisconnect) => void;
  /** An established connection ended; `error` is undefined if we ended it. */
  close: (error: MqttError | undefined) => void;
  reconnecting: (info: ReconnectInfo) => void;
  /** A reconnect attempt failed (the client keeps trying). */
  error: (error: MqttError) => void;
  /** The client is closed for good; pending calls were rejected. */
  end: (error: MqttError | undefined) => void;
  /** Every packet written, for tracing (mosquitto_pub -d). */
  packetsend: (packet: Packet) => void;
  /** Every packet received, for tracing. */
  packetreceive: (packet: Packet) => void;
}
