/**
 * The %j and %J output: one JSON object per message with mosquitto_sub's
 * keys in its order (tst, topic, qos, retain, payloadlen, mid when QoS > 0,
 * properties when there are any, payload).
 *
 * `tst` is written as mosquitto_sub 2.0.11 writes it, with a literal 'Z'
 * before the zone offset: "2026-12-04T15:02:27.433103Z+0000". Later 2.0
 * releases drop the 'Z'; midge matches the release its tests compare with.
 */

import { strftime } from '../../log/strftime.js';
import type { Properties } from '../../protocol/index.js';
import type { Instant } from './clock.js';
import { parseJsonPayload } from './json-parse.js';
import {
  type JsonValue,
  jsonNull,
  jsonNumber,
  jsonObject,
  jsonString,
  printJson,
} from './json-value.js';
import { hasProperties, type OutputMessage } from './message.js';

export function timestamp(now: Instant): string {
  const micros = String(Math.floor(now.nanos / 1000)).padStart(6, '0');
  const seconds = strftime('%Y-%m-%dT%H:%M:%S', now.date);
  return `${seconds}.${micros}Z${strftime('%z', now.date)}`;
}

type Entry = [string, JsonValue];

/** One property as JSON entries, in the names mosquitto_sub uses. */
function propertyEntries(props: Properties, key: keyof Properties): Entry[] {
  switch (key) {
    case 'payloadFormatIndicator':
      return [['payload-format-indicator', jsonNumber(props.payloadFormatIndicator!)]];
    case 'messageExpiryInterval':
      return [['message-expiry-interval', jsonNumber(props.messageExpiryInterval!)]];
    case 'contentType':
      return [['content-type', jsonString(props.contentType!)]];
    case 'responseTopic':
      return [['response-topic', jsonString(props.responseTopic!)]];
    case 'correlationData':
      return [['correlation-data', jsonString(props.correlationData!)]];
    case 'subscriptionIdentifiers':
      return props.subscriptionIdentifiers!.map((id) => [
        'subscription-identifier',
        jsonNumber(id),
      ]);
    case 'topicAlias':
      return [['topic-alias', jsonNumber(props.topicAlias!)]];
    case 'userProperties': {
      const pairs: Entry[] = props.userProperties!.map(([k, v]) => [k, jsonString(v)]);
      return [['user-properties', jsonObject(pairs)]];
    }
    default:
      return [];
  }
}

function propertiesJson(props: Properties): JsonValue {
  const entries: Entry[] = [];
  for (const key of Object.keys(props) as Array<keyof Properties>) {
    if (props[key] !== undefined) entries.push(...propertyEntries(props, key));
  }
  return jsonObject(entries);
}

/**
 * The JSON text for a message, or undefined when `raw` (%J) is asked for
 * and the payload is not JSON.
 */
export function messageJson(
  message: OutputMessage,
  now: Instant,
  raw: boolean,
  pretty: boolean,
): Buffer | undefined {
  let payload: JsonValue = jsonNull;
  if (message.payload.length > 0) {
    const parsed = raw ? parseJsonPayload(message.payload) : jsonString(message.payload);
    if (!parsed) return undefined;
    payload = parsed;
  }
  const entries: Entry[] = [
    ['tst', jsonString(timestamp(now))],
    ['topic', jsonString(message.topic)],
    ['qos', jsonNumber(message.qos)],
    ['retain', jsonNumber(message.retain ? 1 : 0)],
    ['payloadlen', jsonNumber(message.payload.length)],
  ];
  if (message.qos > 0) entries.push(['mid', jsonNumber(message.mid)]);
  if (hasProperties(message.properties)) {
    entries.push(['properties', propertiesJson(message.properties)]);
  }
  entries.push(['payload', payload]);
  return printJson(jsonObject(entries), pretty);
}
