import { type Message, MqttClient } from '../../../src/client/index.js';

/**
 * Reconnects to a persistent session and returns the messages the server
 * kept while the client was away.
 */
export async function catchUp(host: string, port: number, clientId: string) {
  const client = new MqttClient({
    host,
    port,
    clientId,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3600 },
  });
  // Listen before connect(): kept messages follow CONNACK at once.
  const messages: Message[] = [];
  client.on('message', (message) => messages.push(message));
  const { sessionPresent } = await client.connect();
  if (!sessionPresent) await client.subscribe('orders/#', { qos: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await client.disconnect();
  return { sessionPresent, topics: messages.map((m) => m.topic) };
}
