import { ReasonCode } from './reason-codes.js';

/**
 * Bad input from a peer. `code` is a stable identifier for logs and tests
 * (for example 'MALFORMED_REMAINING_LENGTH'); `reasonCode` is what an MQTT 5
 * peer is told in CONNACK or DISCONNECT before the connection closes.
 *
 * @example
 * try { decoder.feed(chunk); } catch (err) {
 *   if (err instanceof ProtocolError) disconnect(err.reasonCode);
 * }
 */
export class ProtocolError extends Error {
  readonly code: string;
  readonly reasonCode: ReasonCode;
  /** The offending value where a log line names it (a protocol level). */
  readonly value: string | number | undefined;

  constructor(
    reasonCode: ReasonCode,
    code: string,
    message: string,
    value?: string | number,
  ) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.reasonCode = reasonCode;
    this.value = value;
  }
}

/** A packet that cannot be parsed as MQTT: reason Malformed Packet. */
export function malformed(code: string, message: string): ProtocolError {
  return new ProtocolError(ReasonCode.MalformedPacket, code, message);
}

/** A well-formed packet the protocol forbids here: reason Protocol Error. */
export function protocolError(code: string, message: string): ProtocolError {
  return new ProtocolError(ReasonCode.ProtocolError, code, message);
}
