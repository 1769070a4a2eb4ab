/**
 * Topic arguments: -t, -e, -T, -U, --will-topic and the topic of -L, with
 * Mosquitto's checks and messages. A publish topic may hold no wildcard at
 * all; a filter may use them only as whole levels.
 *
 * LIMIT(compat): Node decodes argv as UTF-8 before midge sees it, so a
 * byte sequence that is not UTF-8 arrives as U+FFFD and passes; Mosquitto
 * reports "Malformed UTF-8". Control characters are caught as Mosquitto
 * catches them.
 */
import { isValidMqttString, isValidTopicFilter } from '../../protocol/index.js';
import type { ClientConfig } from './config.js';
import { fail } from './errors.js';

const maxTopicLength = 65535;

export function checkUtf8(value: string, argName: string): void {
  if (!isValidMqttString(value) || Buffer.byteLength(value) > maxTopicLength) {
    fail(`Error: Malformed UTF-8 in ${argName} argument.\n\n`);
  }
}

/** Mosquitto's publish check: no '+' or '#' anywhere; '' passes. */
export function isPublishTopic(topic: string): boolean {
  return !topic.includes('+') && !topic.includes('#');
}

/** Mosquitto's subscribe check; unlike the broker's, '' passes here. */
export function isSubscribeFilter(filter: string): boolean {
  return filter === '' || isValidTopicFilter(filter);
}

/** -t and the topic of -L: the publish topic (pub, rr) or one more filter (sub). */
export function addTopic(cfg: ClientConfig, topic: string, argName: string): void {
  checkUtf8(topic, argName);
  if (cfg.tool === 'sub') {
    if (!isSubscribeFilter(topic)) {
      fail(
        `Error: Invalid subscription topic '${topic}', are all '+' and '#' ` +
          'wildcards correct?\n',
      );
    }
    cfg.topics.push(topic);
    return;
  }
  if (!isPublishTopic(topic)) {
    fail(`Error: Invalid publish topic '${topic}', does it contain '+' or '#'?\n`);
  }
  cfg.topic = topic;
}

export function setResponseTopic(cfg: ClientConfig, topic: string): void {
  checkUtf8(topic, '-e');
  if (!isPublishTopic(topic)) {
    fail(`Error: Invalid response topic '${topic}', does it contain '+' or '#'?\n`);
  }
  cfg.responseTopic = topic;
}

/** -T and -U: `kind` is "filter" or "unsubscribe", as in the message. */
export function checkFilterArg(filter: string, argName: string, kind: string): void {
  checkUtf8(filter, argName);
  if (!isSubscribeFilter(filter)) {
    fail(
      `Error: Invalid ${kind} topic '${filter}', are all '+' and '#' wildcards ` +
        'correct?\n',
    );
  }
}

export function setWillTopic(cfg: ClientConfig, topic: string): void {
  checkUtf8(topic, '--will-topic');
  if (!isPublishTopic(topic)) {
    fail(`Error: Invalid will topic '${topic}', does it contain '+' or '#'?\n`);
  }
  cfg.will.topic = topic;
}
