/**
 * Reads an ACL file (`acl_file`) line by line as Mosquitto 2.0 does:
 *
 *   # comment (only with '#' in the first column)
 *   topic [read|write|readwrite|deny] <topic filter>
 *   user <username>
 *   pattern [read|write|readwrite|deny] <topic filter with %c and %u>
 *
 * Trailing blanks are trimmed, words are separated by spaces (a tab is part
 * of a word), the filter is the rest of the line and may hold spaces, and
 * an omitted access means readwrite, so `topic read` grants readwrite on
 * the topic "read". `topic` lines before the first `user` line are for
 * clients without a username; `pattern` lines apply to every client
 * wherever they stand. Any other line stops start-up with file and line.
 */
import { ConfigError } from '../config/errors.js';
import { isValidTopicFilter } from '../protocol/topics.js';
import { splitLines, trimBlanks, trimEndBlanks } from './text-lines.js';

/** Access bits, numbered as Mosquitto's plugin API numbers them. */
export const ACL_NONE = 0;
export const ACL_READ = 1;
export const ACL_WRITE = 2;
export const ACL_SUBSCRIBE = 4;
export const ACL_UNSUBSCRIBE = 8;

const ACCESS_WORDS: Readonly<Record<string, number>> = {
  read: ACL_READ,
  write: ACL_WRITE,
  readwrite: ACL_READ | ACL_WRITE,
  deny: ACL_NONE,
};

/** Longest ACL topic, in UTF-8 bytes, and most '/' Mosquitto accepts. */
const MAX_TOPIC_BYTES = 65535;
const MAX_SLASHES = 200;

export interface AclRule {
  /** The filter as written; for patterns still holding %c and %u. */
  readonly topic: string;
  /** Access bits; ACL_NONE for `deny`. */
  readonly access: number;
  readonly line: number;
}

/** Rules of one `user` section, or of the anonymous one. */
export interface AclSection {
  readonly rules: AclRule[];
}

export interface ParsedAcl {
  /** Topics before any `user` line; null if there were none. */
  anonymous: AclSection | null;
  /** Sections by username; a user named twice gets one merged section. */
  users: Map<string, AclSection>;
  patterns: AclRule[];
  warnings: ConfigError[];
}

interface ParseState {
  file: string;
  acl: ParsedAcl;
  /** The current `user`; null before the first one. */
  user: string | null;
}

/** Parses ACL file contents; throws ConfigError for the first bad line. */
export function parseAcl(data: string | Uint8Array, file: string): ParsedAcl {
  const acl: ParsedAcl = {
    anonymous: null,
    users: new Map(),
    patterns: [],
    warnings: [],
  };
  const state: ParseState = { file, acl, user: null };
  for (const { line, text, problem } of splitLines(data)) {
    const fail = (reason: string): never => {
      throw new ConfigError(file, line, reason);
    };
    if (problem !== undefined) fail(problem);
    parseLine(state, trimEndBlanks(text), line, fail);
  }
  return acl;
}

function parseLine(
  state: ParseState,
  text: string,
  line: number,
  fail: (reason: string) => never,
): void {
  if (text.startsWith('#')) return;
  const words = new Words(text);
  const keyword = words.next();
  if (keyword === undefined) return;
  if (keyword === 'topic' || keyword === 'pattern') {
    const rule = parseRule(words, line, fail);
    if (keyword === 'topic') addTopic(state, rule);
    else addPattern(state, rule);
  } else if (keyword === 'user') {
    const name = trimBlanks(words.rest() ?? '');
    if (name === '') fail('missing username after "user"');
    state.user = name;
  } else {
    const bom = line === 1 && keyword.startsWith('\uFEFF');
    fail(
      bom ? 'the file starts with a UTF-8 byte-order mark' : `invalid line "${keyword}"`,
    );
  }
}

function parseRule(words: Words, line: number, fail: (reason: string) => never): AclRule {
  const first = words.next();
  if (first === undefined) fail('empty topic');
  const rest = words.rest();
  const topic = rest === undefined ? first : trimBlanks(rest);
  let access = ACL_READ | ACL_WRITE;
  if (rest !== undefined) {
    const bits = ACCESS_WORDS[first];
    if (bits === undefined) fail(`invalid topic access type "${first}"`);
    access = bits;
  }
  const problem = topicProblem(topic);
  if (problem !== undefined) fail(`invalid ACL topic "${topic}": ${problem}`);
  return { topic, access, line };
}

/** Why Mosquitto would refuse this filter, or undefined if it is fine. */
function topicProblem(topic: string): string | undefined {
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) return 'longer than 65535 bytes';
  let slashes = 0;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 0x2f) slashes++;
  if (slashes > MAX_SLASHES) return 'more than 200 levels deep';
  // Checked after the depth, which it also refuses, to name the reason.
  if (!isValidTopicFilter(topic)) return 'misplaced wildcard';
  return undefined;
}

function addTopic(state: ParseState, rule: AclRule): void {
  const { acl, user } = state;
  if (user === null) {
    acl.anonymous ??= { rules: [] };
    acl.anonymous.rules.push(rule);
    return;
  }
  const section = acl.users.get(user) ?? { rules: [] };
  section.rules.push(rule);
  acl.users.set(user, section);
}

function addPattern(state: ParseState, rule: AclRule): void {
  if (!rule.topic.includes('%c') && !rule.topic.includes('%u')) {
    const reason = `ACL pattern "${rule.topic}" contains neither %c nor %u`;
    state.acl.warnings.push(new ConfigError(state.file, rule.line, reason));
  }
  state.acl.patterns.push(rule);
}

/**
 * C's strtok_r over one line: `next()` gives the next space-separated word
 * (runs of spaces count as one), `rest()` what follows the word just read.
 */
class Words {
  readonly #text: string;
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  next(): string | undefined {
    while (this.#text[this.#pos] === ' ') this.#pos++;
    if (this.#pos >= this.#text.length) return undefined;
    let end = this.#text.indexOf(' ', this.#pos);
    if (end < 0) end = this.#text.length;
    const word = this.#text.slice(this.#pos, end);
    this.#pos = Math.min(end + 1, this.#text.length);
    return word;
  }

  /** The remainder after the last word's separator; undefined if empty. */
  rest(): string | undefined {
    const rest = this.#text.slice(this.#pos);
    this.#pos = this.#text.length;
    return rest === '' ? undefined : rest;
  }
}
