/**
 * Example plugin (JavaScript): changes and drops messages, and answers a
 * control topic.
 *
 *   plugin docs/examples/plugins/message-stamp.js
 *   plugin_opt_ban spam
 *   plugin_opt_stamp news/#
 *   plugin_opt_prefix [checked]
 *
 * - A message whose payload contains the `ban` word is dropped; a 5.0
 *   publisher is told Not Authorized.
 * - A message on a topic matching the `stamp` filter (a topic, or one
 *   ending in `/#`) gets a `received-at` user property (5.0 subscribers
 *   see it) and its payload led by the `prefix` text.
 * - A PUBLISH to `$CONTROL/message-stamp/v1` is answered on
 *   `$CONTROL/message-stamp/v1/response` with the counts so far, as JSON.
 *
 * @param {import('../../../src/plugins/index.js').PluginContext} ctx
 * @returns {import('../../../src/plugins/index.js').MidgePlugin}
 */
export default function createMessageStamp(ctx) {
  const ban = ctx.option('ban');
  const stamp = ctx.option('stamp');
  const prefix = ctx.option('prefix') ?? '';
  const counts = { stamped: 0, dropped: 0 };
  return {
    name: 'message-stamp',
    message({ topic, payload, properties }) {
      if (ban !== undefined && payload.includes(ban)) {
        counts.dropped++;
        return 'deny';
      }
      if (stamp === undefined || !matches(stamp, topic)) return undefined;
      counts.stamped++;
      const userProperties = [...(properties?.userProperties ?? [])];
      userProperties.push(['received-at', new Date().toISOString()]);
      return {
        payload: Buffer.concat([Buffer.from(prefix), payload]),
        properties: { ...properties, userProperties },
      };
    },
    control: {
      '$CONTROL/message-stamp/v1': () => {
        ctx.broker.publish({
          topic: '$CONTROL/message-stamp/v1/response',
          payload: JSON.stringify(counts),
        });
        return undefined;
      },
    },
  };
}

/** A topic filter without '+': exact, or a prefix ending in '/#'. */
function matches(filter, topic) {
  if (filter === '#') return !topic.startsWith('$');
  if (filter.endsWith('/#')) {
    const base = filter.slice(0, -2);
    return topic === base || topic.startsWith(`${base}/`);
  }
  return topic === filter;
}
