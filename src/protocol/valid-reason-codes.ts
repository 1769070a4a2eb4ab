/**
 * Which MQTT 5 reason codes each packet type may carry (the tables of
 * sections 3.2.2.2 to 3.15.2.1). A byte outside its packet's table is
 * refused as malformed.
 */
import { PacketType } from './packets.js';
import { ReasonCode as R } from './reason-codes.js';

const TABLES: Uint8Array[] = [];

function allow(type: PacketType, codes: R[]): void {
  const table = new Uint8Array(256);
  for (const c of codes) table[c] = 1;
  TABLES[type] = table;
}

allow(PacketType.Connack, [
  R.Success,
  R.UnspecifiedError,
  R.MalformedPacket,
  R.ProtocolError,
  R.ImplementationSpecificError,
  R.UnsupportedProtocolVersion,
  R.ClientIdentifierNotValid,
  R.BadUserNameOrPassword,
  R.NotAuthorized,
  R.ServerUnavailable,
  R.ServerBusy,
  R.Banned,
  R.BadAuthenticationMethod,
  R.TopicNameInvalid,
  R.PacketTooLarge,
  R.QuotaExceeded,
  R.PayloadFormatInvalid,
  R.RetainNotSupported,
  R.QoSNotSupported,
  R.UseAnotherServer,
  R.ServerMoved,
  R.ConnectionRateExceeded,
]);

const PUBLISH_ACK = [
  R.Success,
  R.NoMatchingSubscribers,
  R.UnspecifiedError,
  R.ImplementationSpecificError,
  R.NotAuthorized,
  R.TopicNameInvalid,
  R.PacketIdentifierInUse,
  R.QuotaExceeded,
  R.PayloadFormatInvalid,
];
allow(PacketType.Puback, PUBLISH_ACK);
allow(PacketType.Pubrec, PUBLISH_ACK);
allow(PacketType.Pubrel, [R.Success, R.PacketIdentifierNotFound]);
allow(PacketType.Pubcomp, [R.Success, R.PacketIdentifierNotFound]);

allow(PacketType.Suback, [
  R.Success,
  R.GrantedQoS1,
  R.GrantedQoS2,
  R.UnspecifiedError,
  R.ImplementationSpecificError,
  R.NotAuthorized,
  R.TopicFilterInvalid,
  R.PacketIdentifierInUse,
  R.QuotaExceeded,
  R.SharedSubscriptionsNotSupported,
  R.SubscriptionIdentifiersNotSupported,
  R.WildcardSubscriptionsNotSupported,
]);

allow(PacketType.Unsuback, [
  R.Success,
  R.NoSubscriptionExisted,
  R.UnspecifiedError,
  R.ImplementationSpecificError,
  R.NotAuthorized,
  R.TopicFilterInvalid,
  R.PacketIdentifierInUse,
]);

allow(PacketType.Disconnect, [
  R.Success,
  R.DisconnectWithWill,
  R.UnspecifiedError,
  R.MalformedPacket,
  R.ProtocolError,
  R.ImplementationSpecificError,
  R.NotAuthorized,
  R.ServerBusy,
  R.ServerShuttingDown,
  R.KeepAliveTimeout,
  R.SessionTakenOver,
  R.TopicFilterInvalid,
  R.TopicNameInvalid,
  R.ReceiveMaximumExceeded,
  R.TopicAliasInvalid,
  R.PacketTooLarge,
  R.MessageRateTooHigh,
  R.QuotaExceeded,
  R.AdministrativeAction,
  R.PayloadFormatInvalid,
  R.RetainNotSupported,
  R.QoSNotSupported,
  R.UseAnotherServer,
  R.ServerMoved,
  R.SharedSubscriptionsNotSupported,
  R.ConnectionRateExceeded,
  R.MaximumConnectTime,
  R.SubscriptionIdentifiersNotSupported,
  R.WildcardSubscriptionsNotSupported,
]);

allow(PacketType.Auth, [R.Success, R.ContinueAuthentication, R.ReAuthenticate]);

/** True if an MQTT 5 packet of this type may carry this reason code. */
export function isValidReasonCode(type: PacketType, code: number): boolean {
  return TABLES[type]?.[code] === 1;
}

/** MQTT 3.1.1 SUBACK return codes: granted QoS 0 to 2, or 0x80 failure. */
export function isValidV3SubackCode(code: number): boolean {
  return code <= 2 || code === 0x80;
}
