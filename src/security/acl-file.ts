/**
 * Access control from an ACL file, deciding as Mosquitto 2.0 does:
 *
 * 1. The client's own section: the `user` section named by its username,
 *    or the anonymous section if it has none. A matching `deny` refuses; a
 *    matching rule that grants the access allows.
 * 2. Otherwise the patterns, with %c and %u replaced by the client id and
 *    username (patterns with %u are skipped for clients without one). A
 *    client whose id or username holds '+' or '#' gets nothing from the
 *    patterns: substituted, those would widen the filter. Again a matching
 *    `deny` refuses before any rule allows.
 * 3. Otherwise refused.
 *
 * So a `user` rule that allows wins over a `deny` pattern. Filters match
 * topics as subscriptions do, so a filter starting with a wildcard does not
 * match `$SYS/...` or `$CONTROL/...`; those need rules of their own.
 * SUBSCRIBE and UNSUBSCRIBE are always allowed, as in Mosquitto: what a
 * subscription may receive is checked message by message, as `read`.
 *
 * @example
 * const { acl } = AclFile.parse('user alice\ntopic readwrite alice/#\n', 'acl');
 * acl.check({ id: 'c1', username: 'alice' }, 'alice/x', 'write'); // true
 * acl.check({ id: 'c2', username: 'bob' }, 'alice/x', 'read');     // false
 */
import type { ConfigError } from '../config/errors.js';
import { topicMatches } from '../protocol/topics.js';
import {
  ACL_NONE,
  ACL_READ,
  ACL_SUBSCRIBE,
  ACL_UNSUBSCRIBE,
  ACL_WRITE,
  type AclRule,
  type AclSection,
  parseAcl,
} from './acl-parse.js';
import { readSecurityFile } from './text-lines.js';

export type AclAccessName = 'read' | 'write' | 'subscribe' | 'unsubscribe';

const ACCESS_BITS: Readonly<Record<AclAccessName, number>> = {
  read: ACL_READ,
  write: ACL_WRITE,
  subscribe: ACL_SUBSCRIBE,
  unsubscribe: ACL_UNSUBSCRIBE,
};

/** What the check needs to know of a client. */
export interface AclClient {
  readonly id: string;
  readonly username?: string | null | undefined;
}

export interface AclFileOptions {
  /**
   * Called when a client is refused by the patterns because its id or
   * username could widen them; Mosquitto logs a notice then.
   */
  onDangerousClient?: (what: 'username' | 'client id', value: string) => void;
}

export interface AclFileResult {
  acl: AclFile;
  /** Patterns without %c or %u, which Mosquitto warns about. */
  warnings: ConfigError[];
}

/** Rules ready to match: every deny first, then the rest in file order. */
interface RuleSet {
  denies: string[];
  allows: { filter: string; access: number }[];
}

/** A pattern split at %c and %u, which are filled in per client. */
type PatternPart = string | typeof CLIENT_ID | typeof USERNAME;
const CLIENT_ID = Symbol('%c');
const USERNAME = Symbol('%u');

interface Pattern {
  parts: PatternPart[];
  access: number;
  usesUsername: boolean;
}

/** The patterns filled in for one client, kept while its names stay. */
interface ClientPatterns {
  id: string;
  username: string | undefined;
  rules: RuleSet;
}

export class AclFile {
  readonly #anonymous: RuleSet | undefined;
  readonly #users: ReadonlyMap<string, RuleSet>;
  readonly #patterns: readonly Pattern[];
  readonly #options: AclFileOptions;
  // Connections are long-lived objects: filling the patterns in once per
  // connection keeps string building off the per-message path.
  readonly #cache = new WeakMap<object, ClientPatterns>();

  private constructor(
    anonymous: AclSection | null,
    users: Map<string, AclSection>,
    patterns: AclRule[],
    options: AclFileOptions,
  ) {
    this.#anonymous = anonymous ? ruleSet(anonymous.rules) : undefined;
    this.#users = new Map(
      [...users].map(([name, section]) => [name, ruleSet(section.rules)]),
    );
    this.#patterns = patterns.map(compilePattern);
    this.#options = options;
  }

  /** Parses ACL file contents; throws ConfigError naming file and line. */
  static parse(
    data: string | Uint8Array,
    file: string,
    options: AclFileOptions = {},
  ): AclFileResult {
    const parsed = parseAcl(data, file);
    const acl = new AclFile(parsed.anonymous, parsed.users, parsed.patterns, options);
    return { acl, warnings: parsed.warnings };
  }

  /** Reads and parses a file. */
  static async load(path: string, options: AclFileOptions = {}): Promise<AclFileResult> {
    return AclFile.parse(await readSecurityFile(path, 'ACL file'), path, options);
  }

  /** True if the client may have this access to the topic. */
  check(client: AclClient, topic: string, access: AclAccessName): boolean {
    const bit = ACCESS_BITS[access];
    if (bit === ACL_SUBSCRIBE || bit === ACL_UNSUBSCRIBE) return true;
    if (topic.length === 0) return false;
    // Mosquitto treats a zero-length username as none at all.
    const username = client.username || undefined;
    const own = username === undefined ? this.#anonymous : this.#users.get(username);
    const verdict = own === undefined ? undefined : decide(own, topic, bit);
    if (verdict !== undefined) return verdict;
    if (this.#patterns.length === 0 || this.#isDangerous(client.id, username)) {
      return false;
    }
    return decide(this.#patternsFor(client, username), topic, bit) ?? false;
  }

  #isDangerous(id: string, username: string | undefined): boolean {
    const report = this.#options.onDangerousClient;
    if (username !== undefined && widens(username)) {
      report?.('username', username);
      return true;
    }
    if (widens(id)) {
      report?.('client id', id);
      return true;
    }
    return false;
  }

  #patternsFor(client: AclClient, username: string | undefined): RuleSet {
    const cached = this.#cache.get(client);
    if (cached?.id === client.id && cached.username === username) return cached.rules;
    const rules = fillPatterns(this.#patterns, client.id, username);
    this.#cache.set(client, { id: client.id, username, rules });
    return rules;
  }
}

/** Allow (true), refuse (false) or no rule matched (undefined). */
function decide(rules: RuleSet, topic: string, bit: number): boolean | undefined {
  for (const filter of rules.denies) {
    if (topicMatches(filter, topic)) return false;
  }
  for (const rule of rules.allows) {
    if ((rule.access & bit) !== 0 && topicMatches(rule.filter, topic)) return true;
  }
  return undefined;
}

function ruleSet(rules: readonly { topic: string; access: number }[]): RuleSet {
  const set: RuleSet = { denies: [], allows: [] };
  for (const { topic, access } of rules) {
    if (access === ACL_NONE) set.denies.push(topic);
    else set.allows.push({ filter: topic, access });
  }
  return set;
}

/**
 * '+' and '#' would become wildcards once substituted. NUL cannot arrive
 * in an MQTT string; it is refused here too so no caller can cut a filter
 * short with one.
 */
function widens(name: string): boolean {
  return name.includes('+') || name.includes('#') || name.includes('\0');
}

/**
 * Splits a pattern as Mosquitto scans it, left to right: "%c" is the
 * client id, "%u" the username, any other '%' is itself. What is put in is
 * not scanned again, so a username "%c" stays literal.
 */
function compilePattern(rule: AclRule): Pattern {
  const parts: PatternPart[] = [];
  const { topic } = rule;
  let literal = '';
  for (let i = 0; i < topic.length; i++) {
    const next = topic[i + 1];
    if (topic[i] === '%' && (next === 'c' || next === 'u')) {
      if (literal !== '') parts.push(literal);
      parts.push(next === 'c' ? CLIENT_ID : USERNAME);
      literal = '';
      i++;
    } else {
      literal += topic[i];
    }
  }
  if (literal !== '') parts.push(literal);
  return { parts, access: rule.access, usesUsername: parts.includes(USERNAME) };
}

function fillPatterns(
  patterns: readonly Pattern[],
  id: string,
  username: string | undefined,
): RuleSet {
  const filled: { topic: string; access: number }[] = [];
  for (const pattern of patterns) {
    if (pattern.usesUsername && username === undefined) continue;
    const topic = pattern.parts
      .map((part) => (part === CLIENT_ID ? id : part === USERNAME ? username : part))
      .join('');
    filled.push({ topic, access: pattern.access });
  }
  return ruleSet(filled);
}
