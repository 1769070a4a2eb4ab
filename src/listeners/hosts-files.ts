/**
 * hosts.allow and hosts.deny, checked for each new connection before any
 * byte is read (see ./hosts-access.ts for the rules).
 *
 * tcp-wrappers reads both files on every connection, so edits apply at
 * once. midge keeps the parsed rules and looks at each file's size and
 * modification time at most once a second, so a burst of connections does
 * not cost a burst of file reads. A missing file has no rules; a file that
 * exists but cannot be read refuses every connection until it can be, as
 * failing open would be the wrong way round for an access list.
 */
import { readFileSync, statSync } from 'node:fs';
import { type Logger, LogType } from '../log/log-types.js';
import { type AccessRule, parseAccessRules, ruleMatches } from './hosts-access.js';

export interface HostAccessSpec {
  /** Default /etc/hosts.allow. */
  allowFile: string;
  /** Default /etc/hosts.deny. */
  denyFile: string;
  /** The daemon name rules refer to; default `midge`. */
  daemon: string;
}

export const defaultHostAccess: Readonly<HostAccessSpec> = Object.freeze({
  allowFile: '/etc/hosts.allow',
  denyFile: '/etc/hosts.deny',
  daemon: 'midge',
});

const RECHECK_MS = 1000;

interface FileState {
  path: string;
  checkedAt: number;
  /** mtime and size as last read; '' before the first read. */
  stamp: string;
  rules: AccessRule[];
  /** Set when the file exists but cannot be read. */
  unreadable: boolean;
}

export class HostAccess {
  readonly #spec: HostAccessSpec;
  readonly #log: Logger;
  readonly #allow: FileState;
  readonly #deny: FileState;

  constructor(spec: HostAccessSpec, log: Logger) {
    this.#spec = spec;
    this.#log = log;
    this.#allow = newState(spec.allowFile);
    this.#deny = newState(spec.denyFile);
  }

  /** True when a client at `client` may connect to `server`. */
  allows(client: string, server: string, now = Date.now()): boolean {
    this.#refresh(this.#allow, now);
    this.#refresh(this.#deny, now);
    if (this.#allow.unreadable || this.#deny.unreadable) return false;
    const request = { daemon: this.#spec.daemon, client, server };
    const allowed = this.#allow.rules.find((rule) => ruleMatches(rule, request));
    if (allowed) return allowed.verdict !== 'deny';
    const denied = this.#deny.rules.find((rule) => ruleMatches(rule, request));
    if (denied) return denied.verdict === 'allow';
    return true;
  }

  #refresh(state: FileState, now: number): void {
    if (state.stamp !== '' && now - state.checkedAt < RECHECK_MS) return;
    state.checkedAt = now;
    let stamp: string;
    try {
      const stat = statSync(state.path);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      stamp = 'missing';
    }
    if (stamp === state.stamp) return;
    state.stamp = stamp;
    this.#load(state, stamp === 'missing');
  }

  #load(state: FileState, missing: boolean): void {
    state.rules = [];
    state.unreadable = false;
    if (missing) return;
    let text: string;
    try {
      text = readFileSync(state.path, 'utf8');
    } catch (error) {
      state.unreadable = true;
      const code = (error as NodeJS.ErrnoException).code;
      this.#log.write(
        LogType.Warning,
        `Warning: cannot read ${state.path} (${code}); refusing every connection.`,
      );
      return;
    }
    const parsed = parseAccessRules(text, state.path);
    for (const warning of parsed.warnings) {
      this.#log.write(LogType.Warning, `Warning: ${warning}.`);
    }
    state.rules = parsed.rules;
  }
}

function newState(path: string): FileState {
  return { path, checkedAt: 0, stamp: '', rules: [], unreadable: false };
}
