/**
 * Value parsers shared by the option table. Each takes the words after the
 * option name and returns the value or throws through `fail`, so every
 * error names the option and the offending text.
 */
import { trimBlanks, type WordReader } from './line-reader.js';

export type Fail = (reason: string) => never;

export function missing(name: string, fail: Fail): never {
  return fail(`missing value for ${name}`);
}

/** `true`/`false`, and `1`/`0` which Mosquitto also accepts. Extra words are ignored. */
export function parseBool(name: string, words: WordReader, fail: Fail): boolean {
  const word = words.word();
  if (word === undefined) missing(name, fail);
  if (word === 'true' || word === '1') return true;
  if (word === 'false' || word === '0') return false;
  return fail(`invalid ${name} value "${word}" (expected true or false)`);
}

const INTEGER = /^[+-]?[0-9]+$/;

/**
 * A decimal integer. Mosquitto reads numbers with atoi(), so "abc" becomes
 * 0 and "20x" 20; midge refuses both rather than guess.
 */
export function parseIntWord(name: string, word: string | undefined, fail: Fail): number {
  if (word === undefined || word.startsWith('#')) missing(name, fail);
  if (!INTEGER.test(word))
    return fail(`invalid ${name} value "${word}" (expected a number)`);
  return Number.parseInt(word, 10);
}

export interface IntRange {
  min?: number;
  max?: number;
}

export function checkRange(name: string, n: number, range: IntRange, fail: Fail): number {
  const { min, max } = range;
  if (min !== undefined && max !== undefined && (n < min || n > max)) {
    return fail(`${name} must be between ${min} and ${max}, not ${n}`);
  }
  if (min !== undefined && n < min)
    return fail(`${name} must be at least ${min}, not ${n}`);
  if (max !== undefined && n > max)
    return fail(`${name} must be at most ${max}, not ${n}`);
  return n;
}

/** A string value: the rest of the line, trimmed of blanks at both ends. */
export function parseString(name: string, words: WordReader, fail: Fail): string {
  const value = trimBlanks(words.rest());
  if (value === '') missing(name, fail);
  return value;
}

/** One word out of a fixed set. */
export function parseEnum<T extends string>(
  name: string,
  word: string | undefined,
  values: readonly T[],
  fail: Fail,
): T {
  if (word === undefined) missing(name, fail);
  if ((values as readonly string[]).includes(word)) return word as T;
  return fail(`invalid ${name} value "${word}" (expected ${values.join(', ')})`);
}

/**
 * A topic a client could publish to: no wildcards. Used for mount_point
 * and bridge prefixes.
 */
export function isPublishTopic(topic: string): boolean {
  return !topic.includes('+') && !topic.includes('#') && !topic.includes('\0');
}

/** A subscription filter: `+` and `#` only as whole levels, `#` last. */
export function isTopicFilter(filter: string): boolean {
  if (filter === '' || filter.includes('\0')) return false;
  const levels = filter.split('/');
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    return !level.includes('+') || level === '+';
  });
}

/** The trimmed text, or undefined when it is empty. */
export function trimmedWord(text: string): string | undefined {
  const value = trimBlanks(text);
  return value === '' ? undefined : value;
}
