/**
 * SIGUSR2: a dump of the subscription tree and retained messages for the
 * log, to look into a running broker while testing. One line per filter,
 * in topic order, with who holds it.
 */
import type { Broker } from '../broker/index.js';

export function subscriptionDump(broker: Broker): string[] {
  const byFilter = new Map<string, string[]>();
  for (const session of broker.sessions()) {
    // Asking an idle session for its subscriptions would make its map.
    if (session.subscriptionCount === 0) continue;
    for (const sub of session.subscriptions.values()) {
      const filter = sub.group ? `$share/${sub.group}/${sub.filter}` : sub.filter;
      const holders = byFilter.get(filter) ?? [];
      const state = session.connection ? '' : ', offline';
      holders.push(`${session.clientId} (QoS ${sub.qos}${state})`);
      byFilter.set(filter, holders);
    }
  }
  const filters = [...byFilter.keys()].sort();
  const lines = [`Subscriptions: ${filters.length} filters`];
  for (const filter of filters) {
    lines.push(`  ${filter}: ${byFilter.get(filter)!.join(', ')}`);
  }
  const retained = broker.retainedMessages();
  const bytes = retained.reduce((sum, msg) => sum + msg.payload.length, 0);
  lines.push(`Retained messages: ${retained.length} (${bytes} bytes)`);
  return lines;
}
