import {
  ConnectionRefusedError,
  connect,
  MqttError,
  ReasonCode,
  TransportError,
} from '../../../src/client/index.js';

/** Turns each failure into a short diagnosis, branching on `code`. */
export async function diagnose(
  host: string,
  port: number,
  topic: string,
): Promise<string> {
  try {
    const client = await connect({
      host,
      port,
      protocolVersion: 5,
      connectTimeout: 2000,
    });
    try {
      await client.publish(topic, 'x', { qos: 1 });
      return 'published';
    } finally {
      await client.disconnect();
    }
  } catch (err) {
    if (err instanceof ConnectionRefusedError) {
      return err.reasonCode === ReasonCode.NotAuthorized ? 'not allowed' : err.message;
    }
    if (err instanceof TransportError) return `network: ${err.code}`;
    if (err instanceof MqttError)
      return `${err.code}${err.reasonCode ? ` ${err.reasonCode}` : ''}`;
    throw err;
  }
}
