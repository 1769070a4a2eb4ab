/**
 * Typed MQTT packets. One shape serves MQTT 3.1, 3.1.1 and 5.0: fields that
 * only exist in MQTT 5 (reason codes, properties) are optional and ignored
 * when encoding for an older version.
 */
import type { Properties } from './properties.js';

/** 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0 (the protocol level byte). */
export type ProtocolVersion = 3 | 4 | 5;
export type QoS = 0 | 1 | 2;

export enum PacketType {
  Connect = 1,
  Connack = 2,
  Publish = 3,
  Puback = 4,
  Pubrec = 5,
  Pubrel = 6,
  Pubcomp = 7,
  Subscribe = 8,
  Suback = 9,
  Unsubscribe = 10,
  Unsuback = 11,
  Pingreq = 12,
  Pingresp = 13,
  Disconnect = 14,
  Auth = 15,
}

/** The DUP flag in a PUBLISH packet's first byte (3.3.1.1). */
export const PUBLISH_DUP = 0x08;
/** The RETAIN flag in a PUBLISH packet's first byte (3.3.1.3). */
export const PUBLISH_RETAIN = 0x01;

export interface Will {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: Properties;
}

export interface ConnectPacket {
  type: PacketType.Connect;
  /** 'MQIsdp' for 3.1, 'MQTT' for 3.1.1 and 5.0. */
  protocolName: string;
  protocolVersion: ProtocolVersion;
  /** Bit 0x80 of the level byte: a bridge asking for loop prevention. */
  bridge: boolean;
  /** Clean Session (3.x) or Clean Start (5.0). */
  clean: boolean;
  keepAlive: number;
  clientId: string;
  username?: string;
  password?: Buffer;
  will?: Will;
  properties?: Properties;
}

export interface ConnackPacket {
  type: PacketType.Connack;
  sessionPresent: boolean;
  /** A ReasonCode in 5.0, a ConnectReturnCode in 3.x. */
  reasonCode: number;
  properties?: Properties;
}

export interface PublishPacket {
  type: PacketType.Publish;
  dup: boolean;
  qos: QoS;
  retain: boolean;
  /** May be '' in 5.0 when a topic alias stands for it. */
  topic: string;
  /** Present when qos > 0. */
  packetId?: number;
  payload: Buffer;
  properties?: Properties;
}

/** PUBACK, PUBREC, PUBREL and PUBCOMP share one shape. */
export interface AckPacket<
  T extends
    | PacketType.Puback
    | PacketType.Pubrec
    | PacketType.Pubrel
    | PacketType.Pubcomp,
> {
  type: T;
  packetId: number;
  /** 5.0 only; absent means Success. */
  reasonCode?: number;
  properties?: Properties;
}
export type PubackPacket = AckPacket<PacketType.Puback>;
export type PubrecPacket = AckPacket<PacketType.Pubrec>;
export type PubrelPacket = AckPacket<PacketType.Pubrel>;
export type PubcompPacket = AckPacket<PacketType.Pubcomp>;

export interface Subscription {
  topicFilter: string;
  qos: QoS;
  /** 5.0 subscription options; false / 0 in 3.x. */
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
}

export interface SubscribePacket {
  type: PacketType.Subscribe;
  packetId: number;
  subscriptions: Subscription[];
  properties?: Properties;
}

export interface SubackPacket {
  type: PacketType.Suback;
  packetId: number;
  /** Granted QoS or failure code, one per filter. */
  reasonCodes: number[];
  properties?: Properties;
}

export interface UnsubscribePacket {
  type: PacketType.Unsubscribe;
  packetId: number;
  topicFilters: string[];
  properties?: Properties;
}

export interface UnsubackPacket {
  type: PacketType.Unsuback;
  packetId: number;
  /** 5.0 only: one per filter. */
  reasonCodes?: number[];
  properties?: Properties;
}

export interface PingreqPacket {
  type: PacketType.Pingreq;
}

export interface PingrespPacket {
  type: PacketType.Pingresp;
}

export interface DisconnectPacket {
  type: PacketType.Disconnect;
  /** 5.0 only; absent means Normal disconnection. */
  reasonCode?: number;
  properties?: Properties;
}

export interface AuthPacket {
  type: PacketType.Auth;
  reasonCode: number;
  properties?: Properties;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;
