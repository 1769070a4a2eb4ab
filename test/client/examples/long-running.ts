import { MqttClient, type ReconnectInfo } from '../../../src/client/index.js';

/**
 * A long-running client: reconnects with backoff, subscribes again after
 * a reconnect that lost the session, reports through events. Returns the
 * event names it saw, for the test.
 */
export async function longRunning(host: string, port: number): Promise<string[]> {
  const seen: string[] = [];
  const client = new MqttClient({
    host,
    port,
    keepalive: 30,
    reconnect: { initialDelay: 500, maxDelay: 30_000, factor: 2, jitter: 0.2 },
  });
  client.on('connect', ({ sessionPresent }) => seen.push(`connect ${sessionPresent}`));
  client.on('close', (error) => seen.push(`close ${error?.code ?? 'by us'}`));
  client.on('reconnecting', ({ attempt, delay }: ReconnectInfo) => {
    seen.push(`reconnecting #${attempt} in ${delay} ms`);
  });
  client.on('error', (error) => seen.push(`attempt failed: ${error.code}`));
  client.on('end', () => seen.push('end'));
  await client.connect();
  await client.subscribe('status/#');
  // Publishes made while reconnecting wait in a queue and go out after.
  await client.publish('status/service', 'up', { retain: true });
  await client.disconnect();
  return seen;
}
