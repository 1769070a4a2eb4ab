import { createHmac } from 'node:crypto';
import { type AuthHandler, connect } from '../../../src/client/index.js';

/**
 * MQTT 5 enhanced authentication with a challenge-response method: the
 * server sends a nonce in AUTH, the handler answers with an HMAC of it.
 */
export async function authenticate(host: string, port: number, secret: string) {
  const answerChallenge: AuthHandler = ({ data }) => ({
    data: createHmac('sha256', secret)
      .update(data ?? Buffer.alloc(0))
      .digest(),
  });
  const client = await connect({
    host,
    port,
    protocolVersion: 5,
    properties: {
      authenticationMethod: 'HMAC-DEMO',
      authenticationData: Buffer.from('me'),
    },
    auth: answerChallenge,
  });
  // Later, the same handler answers a re-authentication.
  await client.reauthenticate({ data: Buffer.from('me') });
  await client.disconnect();
  return client.connectResult?.reasonCode;
}
