/**
 * Topic names, topic filters and matching (MQTT 4.7, 4.8). All functions
 * walk the string by character code: no split, no regular expression, since
 * matching sits on the hot path of every PUBLISH.
 */

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;
const SHARE_PREFIX = '$share/';

/**
 * Most levels a topic name or filter may have: 200 separators, as in
 * Mosquitto (observed: 201 levels pass, 202 are refused). Deeper topics
 * serve no one and would let a client make the broker's tree walks
 * arbitrarily deep.
 */
export const MAX_TOPIC_LEVELS = 201;

/**
 * A topic name a PUBLISH may carry: no wildcard [MQTT-3.3.2-2], no U+0000,
 * at least one character [MQTT-4.7.3-1] unless `allowEmpty` (an MQTT 5
 * PUBLISH whose Topic Alias stands for the name), at most
 * MAX_TOPIC_LEVELS levels.
 *
 * @example isValidTopicName('sensors/1/temp') // true
 */
export function isValidTopicName(s: string, allowEmpty = false): boolean {
  if (s.length === 0) return allowEmpty;
  let levels = 1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === PLUS || c === HASH || c === 0) return false;
    if (c === SLASH && ++levels > MAX_TOPIC_LEVELS) return false;
  }
  return true;
}

/**
 * A topic filter: '+' and '#' only as whole levels, '#' only last
 * [MQTT-4.7.1-1] [MQTT-4.7.1-2], at least one character [MQTT-4.7.3-1].
 *
 * @example isValidTopicFilter('a/+/c/#') // true
 */
export function isValidTopicFilter(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  let levels = 1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return false;
    if (c === SLASH && ++levels > MAX_TOPIC_LEVELS) return false;
    if (c !== PLUS && c !== HASH) continue;
    const startsLevel = i === 0 || s.charCodeAt(i - 1) === SLASH;
    const endsLevel = i === n - 1 || s.charCodeAt(i + 1) === SLASH;
    if (!startsLevel || !endsLevel) return false;
    if (c === HASH && i !== n - 1) return false;
  }
  return true;
}

/** True if the filter uses the shared-subscription prefix `$share/`. */
export function isSharedSubscription(filter: string): boolean {
  return filter.startsWith(SHARE_PREFIX);
}

/**
 * Splits `$share/{group}/{filter}` [MQTT-4.8.2]. Returns null if `filter`
 * is not shared, and also if it is shared but malformed: the group must be
 * non-empty without wildcards [MQTT-4.8.2-2] and the filter valid
 * [MQTT-4.8.2-1]. Use {@link isSharedSubscription} to tell the two apart.
 *
 * @example parseSharedSubscription('$share/g/a/#') // { group: 'g', filter: 'a/#' }
 */
export function parseSharedSubscription(
  filter: string,
): { group: string; filter: string } | null {
  if (!filter.startsWith(SHARE_PREFIX)) return null;
  const start = SHARE_PREFIX.length;
  const slash = filter.indexOf('/', start);
  if (slash <= start) return null;
  const group = filter.slice(start, slash);
  if (group.includes('+') || group.includes('#')) return null;
  const rest = filter.slice(slash + 1);
  if (!isValidTopicFilter(rest)) return null;
  return { group, filter: rest };
}

/**
 * True if the topic name matches the (valid, non-shared) filter. A topic
 * starting with '$' is not matched by a filter starting with a wildcard
 * [MQTT-4.7.2-1]. 'a/#' also matches 'a' [MQTT-4.7.1-2].
 *
 * @example topicMatches('a/+/c', 'a/b/c') // true
 */
export function topicMatches(filter: string, topic: string): boolean {
  const f0 = filter.charCodeAt(0);
  if (topic.charCodeAt(0) === DOLLAR && (f0 === PLUS || f0 === HASH)) return false;
  const fl = filter.length;
  const tl = topic.length;
  let fi = 0;
  let ti = 0;
  while (fi < fl) {
    const fc = filter.charCodeAt(fi);
    if (fc === HASH) return true;
    if (fc === PLUS) {
      while (ti < tl && topic.charCodeAt(ti) !== SLASH) ti++;
      fi++;
    } else {
      while (fi < fl && filter.charCodeAt(fi) !== SLASH) {
        if (ti >= tl || topic.charCodeAt(ti) !== filter.charCodeAt(fi)) return false;
        fi++;
        ti++;
      }
      if (ti < tl && topic.charCodeAt(ti) !== SLASH) return false;
    }
    // Both sit at the end of a level: at a '/' or at the end of the string.
    if (fi === fl) return ti === tl;
    fi++;
    if (ti === tl) return fi === fl - 1 && filter.charCodeAt(fi) === HASH;
    ti++;
  }
  return ti === tl;
}
