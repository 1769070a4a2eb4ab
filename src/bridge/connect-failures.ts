/**
 * What a bridge logs when a connection attempt fails, in Mosquitto's
 * words: its phrases for the MQTT 3.x return codes, the reason code's
 * name for MQTT 5, the system's wording for socket errors.
 */
import { errnoText } from '../io/errno-text.js';
import { ConnectReturnCode, ReasonCode } from '../protocol/index.js';

const V3: Record<number, string> = {
  [ConnectReturnCode.UnacceptableProtocolVersion]: 'unacceptable protocol version',
  [ConnectReturnCode.IdentifierRejected]: 'identifier rejected',
  [ConnectReturnCode.ServerUnavailable]: 'broker unavailable',
  [ConnectReturnCode.BadUserNameOrPassword]: 'bad user name or password',
  [ConnectReturnCode.NotAuthorized]: 'not authorised',
};

const V5: Partial<Record<ReasonCode, string>> = {
  [ReasonCode.UnspecifiedError]: 'Unspecified error',
  [ReasonCode.MalformedPacket]: 'Malformed Packet',
  [ReasonCode.ProtocolError]: 'Protocol Error',
  [ReasonCode.ImplementationSpecificError]: 'Implementation specific error',
  [ReasonCode.UnsupportedProtocolVersion]: 'Unsupported protocol version',
  [ReasonCode.ClientIdentifierNotValid]: 'Client identifier not valid',
  [ReasonCode.BadUserNameOrPassword]: 'Bad user name or password',
  [ReasonCode.NotAuthorized]: 'Not authorized',
  [ReasonCode.ServerUnavailable]: 'Server unavailable',
  [ReasonCode.ServerBusy]: 'Server busy',
  [ReasonCode.Banned]: 'Banned',
  [ReasonCode.BadAuthenticationMethod]: 'Bad authentication method',
  [ReasonCode.PacketTooLarge]: 'Packet too large',
  [ReasonCode.QuotaExceeded]: 'Quota exceeded',
  [ReasonCode.PayloadFormatInvalid]: 'Payload format invalid',
  [ReasonCode.RetainNotSupported]: 'Retain not supported',
  [ReasonCode.QoSNotSupported]: 'QoS not supported',
  [ReasonCode.UseAnotherServer]: 'Use another server',
  [ReasonCode.ServerMoved]: 'Server moved',
  [ReasonCode.ConnectionRateExceeded]: 'Connection rate exceeded',
};

/** "Connection Refused: ..." for a CONNACK code of protocol `version`. */
export function refusalLine(code: number, version: 3 | 4 | 5): string {
  const table: Record<number, string | undefined> = version === 5 ? V5 : V3;
  return `Connection Refused: ${table[code] ?? 'unknown reason'}`;
}

/**
 * True when the refusal means the remote does not accept the bridge bit
 * in the protocol level: the next attempt goes without it.
 */
export function refusesBridgeBit(code: number, version: 3 | 4 | 5): boolean {
  return version < 5 && code === ConnectReturnCode.UnacceptableProtocolVersion;
}

/** The resolver's wording (gai_strerror) for a name that cannot be looked up. */
const RESOLVER_ERRORS: Record<string, string> = {
  ENOTFOUND: 'Name or service not known',
  EAI_AGAIN: 'Temporary failure in name resolution',
};

/** The reason part of "Error creating bridge: <reason>." */
export function failureReason(error: unknown): string {
  // An SRV failure is only clear with the name that was looked up.
  if ((error as { code?: string }).code === 'SRV_LOOKUP_FAILED') {
    return (error as Error).message;
  }
  let e: unknown = error;
  // The library wraps the system error: look for its code down the chain.
  while (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const text =
      errnoText(code) ?? (code === undefined ? undefined : RESOLVER_ERRORS[code]);
    if (text !== undefined) return text;
    e = e.cause;
  }
  return error instanceof Error ? error.message : String(error);
}
