/**
 * The texts Mosquitto's tools print for library errors, CONNACK refusals
 * and MQTT 5 reason codes, so midge's tools say the same words. Exit
 * statuses use Mosquitto's library error numbers, which scripts test.
 */
import { ConnectReturnCode, ReasonCode } from '../../protocol/index.js';

/** libmosquitto error numbers the tools return as exit statuses. */
export enum MosqErr {
  Success = 0,
  NoMem = 1,
  Protocol = 2,
  Inval = 3,
  NoConn = 4,
  ConnRefused = 5,
  ConnLost = 7,
  Tls = 8,
  PayloadSize = 9,
  NotSupported = 10,
  Errno = 14,
  Eai = 15,
  Proxy = 16,
  OversizePacket = 25,
  Timeout = 27,
}

const errorTexts: Partial<Record<MosqErr, string>> = {
  [MosqErr.Success]: 'No error.',
  [MosqErr.NoMem]: 'Out of memory.',
  [MosqErr.Protocol]:
    'A network protocol error occurred when communicating with the broker.',
  [MosqErr.Inval]: 'Invalid function arguments provided.',
  [MosqErr.NoConn]: 'The client is not currently connected.',
  [MosqErr.ConnRefused]: 'The connection was refused.',
  [MosqErr.ConnLost]: 'The connection was lost.',
  [MosqErr.Tls]: 'A TLS error occurred.',
  [MosqErr.PayloadSize]: 'Payload too large.',
  [MosqErr.NotSupported]: 'This feature is not supported.',
  [MosqErr.Eai]: 'Lookup error.',
  [MosqErr.Proxy]: 'Proxy error.',
  [MosqErr.OversizePacket]: 'Packet larger than supported by the server.',
};

/** mosquitto_strerror(). */
export function strerror(code: MosqErr): string {
  return errorTexts[code] ?? 'Unknown error.';
}

const connackTexts: Record<number, string> = {
  [ConnectReturnCode.Accepted]: 'Connection Accepted.',
  [ConnectReturnCode.UnacceptableProtocolVersion]:
    'Connection Refused: unacceptable protocol version.',
  [ConnectReturnCode.IdentifierRejected]: 'Connection Refused: identifier rejected.',
  [ConnectReturnCode.ServerUnavailable]: 'Connection Refused: broker unavailable.',
  [ConnectReturnCode.BadUserNameOrPassword]:
    'Connection Refused: bad user name or password.',
  [ConnectReturnCode.NotAuthorized]: 'Connection Refused: not authorised.',
};

/** mosquitto_connack_string(), for MQTT 3.x return codes. */
export function connackString(code: number): string {
  return connackTexts[code] ?? 'Connection Refused: unknown reason.';
}

const reasonTexts: Record<number, string> = {
  [ReasonCode.Success]: 'Success',
  [ReasonCode.GrantedQoS1]: 'Granted QoS 1',
  [ReasonCode.GrantedQoS2]: 'Granted QoS 2',
  [ReasonCode.DisconnectWithWill]: 'Disconnect with Will Message',
  [ReasonCode.NoMatchingSubscribers]: 'No matching subscribers',
  [ReasonCode.NoSubscriptionExisted]: 'No subscription existed',
  [ReasonCode.ContinueAuthentication]: 'Continue authentication',
  [ReasonCode.ReAuthenticate]: 'Re-authenticate',
  [ReasonCode.UnspecifiedError]: 'Unspecified error',
  [ReasonCode.MalformedPacket]: 'Malformed Packet',
  [ReasonCode.ProtocolError]: 'Protocol Error',
  [ReasonCode.ImplementationSpecificError]: 'Implementation specific error',
  [ReasonCode.UnsupportedProtocolVersion]: 'Unsupported Protocol Version',
  [ReasonCode.ClientIdentifierNotValid]: 'Client Identifier not valid',
  [ReasonCode.BadUserNameOrPassword]: 'Bad User Name or Password',
  [ReasonCode.NotAuthorized]: 'Not authorized',
  [ReasonCode.ServerUnavailable]: 'Server unavailable',
  [ReasonCode.ServerBusy]: 'Server busy',
  [ReasonCode.Banned]: 'Banned',
  [ReasonCode.ServerShuttingDown]: 'Server shutting down',
  [ReasonCode.BadAuthenticationMethod]: 'Bad authentication method',
  [ReasonCode.KeepAliveTimeout]: 'Keep Alive timeout',
  [ReasonCode.SessionTakenOver]: 'Session taken over',
  [ReasonCode.TopicFilterInvalid]: 'Topic Filter invalid',
  [ReasonCode.TopicNameInvalid]: 'Topic Name invalid',
  [ReasonCode.PacketIdentifierInUse]: 'Packet Identifier in use',
  [ReasonCode.PacketIdentifierNotFound]: 'Packet Identifier not found',
  [ReasonCode.ReceiveMaximumExceeded]: 'Receive Maximum exceeded',
  [ReasonCode.TopicAliasInvalid]: 'Topic Alias invalid',
  [ReasonCode.PacketTooLarge]: 'Packet too large',
  [ReasonCode.MessageRateTooHigh]: 'Message rate too high',
  [ReasonCode.QuotaExceeded]: 'Quota exceeded',
  [ReasonCode.AdministrativeAction]: 'Administrative action',
  [ReasonCode.PayloadFormatInvalid]: 'Payload format invalid',
  [ReasonCode.RetainNotSupported]: 'Retain not supported',
  [ReasonCode.QoSNotSupported]: 'QoS not supported',
  [ReasonCode.UseAnotherServer]: 'Use another server',
  [ReasonCode.ServerMoved]: 'Server moved',
  [ReasonCode.SharedSubscriptionsNotSupported]: 'Shared Subscriptions not supported',
  [ReasonCode.ConnectionRateExceeded]: 'Connection rate exceeded',
  [ReasonCode.MaximumConnectTime]: 'Maximum connect time',
  [ReasonCode.SubscriptionIdentifiersNotSupported]:
    'Subscription identifiers not supported',
  [ReasonCode.WildcardSubscriptionsNotSupported]: 'Wildcard Subscriptions not supported',
};

/** mosquitto_reason_string(), for MQTT 5 reason codes. */
export function reasonString(code: number): string {
  return reasonTexts[code] ?? 'Unknown reason';
}
