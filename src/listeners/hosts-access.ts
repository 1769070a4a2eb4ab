/**
 * Host access rules in the way of tcp-wrappers (hosts_access(5)). Pure:
 * text in, rules out, and rules checked against a connection. The files
 * and their reloading are in ./hosts-files.ts.
 *
 * A rule is `daemons : clients [: options]`. Lists are split on blanks
 * and commas; `A EXCEPT B` matches what A matches unless B matches it.
 * Daemon patterns: ALL, a name (midge's is `midge`), `name@address`.
 * Client patterns: ALL, an address, an IPv4 prefix ending in "." (`10.1.`),
 * `net/mask` or `net/len`, `[ipv6]` or `[ipv6]/len`, `*` and `?`
 * wildcards in an address, and `/file` (patterns read from that file). An
 * `allow` or `deny` option overrides the file's verdict, as
 * hosts_options(5) does; other options are ignored.
 *
 * LIMIT(feature): midge does no DNS or ident lookups, so host names,
 * `.domain` suffixes, LOCAL, KNOWN, UNKNOWN, PARANOID, `user@host` and
 * `@netgroup` patterns never match; a file that uses them gets a warning
 * naming the line.
 */
import { readFileSync } from 'node:fs';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** The connection a rule is checked against. */
export interface AccessRequest {
  daemon: string;
  /** The client's address, IPv4-mapped IPv6 already reduced to IPv4. */
  client: string;
  /** The address the client connected to, for `daemon@address`. */
  server: string;
}

/** One word of a list, compiled; EXCEPT is a word too. */
interface Pattern<T> {
  readonly except: boolean;
  test(value: T): boolean;
}

export interface AccessRule {
  line: number;
  daemons: Pattern<AccessRequest>[];
  clients: Pattern<string>[];
  /** From an `allow` / `deny` option; undefined = the file decides. */
  verdict?: 'allow' | 'deny';
}

export interface ParsedRules {
  rules: AccessRule[];
  warnings: string[];
}

type AddressTest = (address: string) => boolean;

const never: AddressTest = () => false;
const EXCEPT: Pattern<never> = { except: true, test: () => false };

/** Reads a hosts.allow / hosts.deny text; `name` labels the warnings. */
export function parseAccessRules(text: string, name: string): ParsedRules {
  const rules: AccessRule[] = [];
  const warnings: string[] = [];
  for (const { line, content } of logicalLines(text)) {
    const fields = splitFields(content);
    if (fields.length < 2) {
      warnings.push(`${name}:${line}: missing ":" separator, line ignored`);
      continue;
    }
    const warn = (message: string) => warnings.push(`${name}:${line}: ${message}`);
    const rule: AccessRule = {
      line,
      daemons: wordsOf(fields[0]!).map(daemonPattern),
      clients: wordsOf(fields[1]!).map((word) => clientPattern(word, warn)),
    };
    const last = fields.at(-1)!.trim().toLowerCase();
    if (fields.length > 2 && (last === 'allow' || last === 'deny')) rule.verdict = last;
    rules.push(rule);
  }
  return { rules, warnings };
}

/** Does `rule` match the connection? */
export function ruleMatches(rule: AccessRule, request: AccessRequest): boolean {
  return listMatches(rule.daemons, request) && listMatches(rule.clients, request.client);
}

/**
 * A list matches when a pattern before its first EXCEPT matches and the
 * list after that EXCEPT does not (so EXCEPTs nest to the right).
 */
export function listMatches<T>(list: readonly Pattern<T>[], value: T): boolean {
  for (let i = 0; i < list.length; i++) {
    const pattern = list[i]!;
    if (pattern.except) return false;
    if (!pattern.test(value)) continue;
    const except = list.findIndex((p, j) => j > i && p.except);
    return except < 0 || !listMatches(list.slice(except + 1), value);
  }
  return false;
}

/** Joins backslash-continued lines and drops comments and blank lines. */
function logicalLines(text: string): Array<{ line: number; content: string }> {
  const out: Array<{ line: number; content: string }> = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let content = lines[i]!;
    while (content.endsWith('\\') && i + 1 < lines.length) {
      content = content.slice(0, -1) + lines[++i]!;
    }
    const trimmed = content.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) out.push({ line, content });
  }
  return out;
}

/** Splits at ":" outside [brackets], where IPv6 addresses keep theirs. */
function splitFields(content: string): string[] {
  const fields: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ':' && depth === 0) {
      fields.push(content.slice(start, i));
      start = i + 1;
    }
  }
  fields.push(content.slice(start));
  return fields;
}

function wordsOf(field: string): string[] {
  return field.split(/[\s,]+/).filter((word) => word !== '');
}

const isExcept = (word: string) => word.toUpperCase() === 'EXCEPT';
const isAll = (word: string) => word.toUpperCase() === 'ALL';

function daemonPattern(word: string): Pattern<AccessRequest> {
  if (isExcept(word)) return EXCEPT;
  const at = word.indexOf('@');
  const name = (at < 0 ? word : word.slice(0, at)).toLowerCase();
  const host = at < 0 ? undefined : (addressTest(word.slice(at + 1)) ?? never);
  return {
    except: false,
    test: (r) =>
      (name === 'all' || name === r.daemon.toLowerCase()) &&
      (host === undefined || host(r.server)),
  };
}

function clientPattern(word: string, warn: (message: string) => void): Pattern<string> {
  if (isExcept(word)) return EXCEPT;
  if (isAll(word)) return { except: false, test: () => true };
  const test = word.startsWith('/') ? fileTest(word, warn) : addressTest(word);
  if (test === undefined) {
    warn(`"${word}" needs a name lookup, which midge does not do; it never matches`);
  }
  return { except: false, test: test ?? never };
}

/** Patterns listed in a file, blank-separated, any of which may match. */
function fileTest(path: string, warn: (message: string) => void): AddressTest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    warn(`cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
    return never;
  }
  const tests = wordsOf(text).map((word) => {
    if (isAll(word)) return () => true;
    const test = addressTest(word);
    if (test === undefined) warn(`${path}: "${word}" needs a name lookup; never matches`);
    return test ?? never;
  });
  return (address) => tests.some((test) => test(address));
}

/** A test for an address pattern, or undefined if it is not one. */
export function addressTest(pattern: string): AddressTest | undefined {
  if (isIPv4(pattern)) return (v) => v === pattern;
  const bracket = /^\[([0-9a-fA-F:.]+)\](?:\/(\d{1,3}))?$/.exec(pattern);
  if (bracket) return ipv6Test(bracket[1]!, bracket[2]);
  if (isIPv6(pattern)) return ipv6Test(pattern, undefined);
  if (/^(?:\d{1,3}\.){1,3}$/.test(pattern)) return (v) => v.startsWith(pattern);
  const slash = /^([\d.]+)\/([\d.]+)$/.exec(pattern);
  if (slash) return ipv4NetTest(slash[1]!, slash[2]!);
  if (/^[0-9a-fA-F.:*?]+$/.test(pattern) && /[*?]/.test(pattern)) {
    return globTest(pattern);
  }
  return undefined;
}

function globTest(pattern: string): AddressTest {
  const body = pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${body}$`, 'i');
  return (v) => re.test(v);
}

function ipv6Test(address: string, bits: string | undefined): AddressTest | undefined {
  const prefix = bits === undefined ? 128 : Number(bits);
  if (!isIPv6(address) || prefix > 128) return undefined;
  const list = new BlockList();
  list.addSubnet(address, prefix, 'ipv6');
  return (v) => isIPv6(v) && list.check(v, 'ipv6');
}

function ipv4NetTest(net: string, mask: string): AddressTest | undefined {
  const prefix = /^\d{1,2}$/.test(mask) ? Number(mask) : maskBits(mask);
  if (!isIPv4(net) || prefix === undefined || prefix > 32) return undefined;
  const list = new BlockList();
  list.addSubnet(net, prefix, 'ipv4');
  return (v) => isIPv4(v) && list.check(v, 'ipv4');
}

/** 255.255.240.0 -> 20; undefined for a malformed mask or one with holes. */
function maskBits(mask: string): number | undefined {
  if (!isIPv4(mask)) return undefined;
  const bits = mask
    .split('.')
    .map((part) => Number(part).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) ? bits.replace(/0+$/, '').length : undefined;
}
