import { connect } from '../../../src/client/index.js';

/** Subscribes, publishes one message to itself, and returns its text. */
export async function quickStart(host: string, port: number): Promise<string> {
  const client = await connect({ host, port, protocolVersion: 5 });
  const received = new Promise<string>((resolve) => {
    client.on('message', (message) => resolve(message.payload.toString()));
  });
  const { granted } = await client.subscribe('greetings/#', { qos: 1 });
  if (granted[0]!.reasonCode >= 0x80) throw new Error('subscription refused');
  await client.publish('greetings/world', 'hello', { qos: 1 });
  const text = await received;
  await client.disconnect();
  return text;
}
