/**
 * The two URLs the tools take: `-L mqtt(s)://[user[:pass]@]host[:port]/topic`
 * (and, as Mosquitto 2.1 has it, `ws(s)://`) and
 * `--proxy socks5h://[user[:pass]@]host[:port]`.
 *
 * Both are read the way Mosquitto reads them, quirks included, so a URL
 * means the same thing to midge: the port after ':' is taken with atoi and
 * not checked, an IPv6 literal cannot be given, and in a proxy user name
 * or password "%40" decodes to ':' rather than '@'.
 */
import { atoi } from './c-numbers.js';
import type { ClientConfig } from './config.js';
import { fail, failUnlessQuiet } from './errors.js';
import { addTopic } from './topic-args.js';

interface Scheme {
  prefix: string;
  port: number;
  tls: boolean;
  ws: boolean;
}

const schemes: readonly Scheme[] = [
  { prefix: 'mqtt://', port: 1883, tls: false, ws: false },
  { prefix: 'mqtts://', port: 8883, tls: true, ws: false },
  // Mosquitto 2.1 gives ws:// port 1883 and wss:// port 8883 too.
  { prefix: 'ws://', port: 1883, tls: false, ws: true },
  { prefix: 'wss://', port: 8883, tls: true, ws: true },
];

export function applyUrl(cfg: ClientConfig, url: string): void {
  const lower = url.toLowerCase();
  const scheme = schemes.find((s) => lower.startsWith(s.prefix));
  if (!scheme) fail('Error: unsupported URL scheme.\n\n');
  cfg.port = scheme.port;
  if (scheme.tls) cfg.tls.useOsCerts = true;
  if (scheme.ws) cfg.transport = 'ws';
  let rest = url.slice(scheme.prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) fail('Error: Invalid URL for -L argument specified - topic missing.\n');
  addTopic(cfg, rest.slice(slash + 1), '-L topic');
  rest = rest.slice(0, slash);
  const at = rest.indexOf('@');
  if (at >= 0) {
    const auth = rest.slice(0, at);
    const colon = auth.indexOf(':');
    if (colon >= 0) cfg.password = auth.slice(colon + 1);
    cfg.username = colon >= 0 ? auth.slice(0, colon) : auth;
    rest = rest.slice(at + 1);
  }
  const colon = rest.indexOf(':');
  if (colon >= 0) cfg.port = atoi(rest.slice(colon + 1));
  cfg.host = colon >= 0 ? rest.slice(0, colon) : rest;
}

/** Mosquitto decodes only %25, %3A/%3a and %40 (as ':'); anything else fails. */
function urlDecode(text: string | undefined): string | undefined | null {
  if (text === undefined || !text.includes('%')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') {
      out += text[i];
      continue;
    }
    const code = text.slice(i + 1, i + 3);
    if (code.length < 2) return null;
    if (code === '25') out += '%';
    else if (code === '3A' || code === '3a' || code === '40') out += ':';
    else return null;
    i += 2;
  }
  return out;
}

interface ProxyParts {
  username?: string;
  password?: string;
  host?: string;
  port?: string;
}

/**
 * Splits at ':' and '@' in one pass, the way Mosquitto's parser does; null
 * for the shapes it gives up on without a message.
 */
function splitProxy(str: string): ProxyParts | null {
  const parts: ProxyParts = {};
  let start = 0;
  let haveAuth = false;
  let userOrHost: string | undefined;
  for (let i = 0; i < str.length; i++) {
    if (str[i] === ':') {
      if (i === start) return null;
      if (haveAuth) {
        if (parts.host !== undefined) return null;
        parts.host = str.slice(start, i);
        start = i + 1;
      } else if (userOrHost === undefined) {
        userOrHost = str.slice(start, i);
        start = i + 1;
      }
    } else if (str[i] === '@') {
      if (i === start) return null;
      haveAuth = true;
      if (userOrHost !== undefined) {
        parts.username = userOrHost;
        userOrHost = undefined;
        parts.password = str.slice(start, i);
      } else {
        if (parts.username !== undefined) return null;
        parts.username = str.slice(start, i);
      }
      start = i + 1;
    }
  }
  if (str.length > start) {
    const tail = str.slice(start);
    if (parts.host !== undefined) parts.port = tail;
    else if (userOrHost !== undefined) {
      parts.host = userOrHost;
      parts.port = tail;
    } else parts.host = tail;
  }
  return parts;
}

export function applyProxy(cfg: ClientConfig, url: string): void {
  const prefix = 'socks5h://';
  if (!url.startsWith(prefix)) {
    failUnlessQuiet(cfg.quiet, `Error: Unsupported proxy protocol: ${url}\n`);
  }
  const parts = splitProxy(url.slice(prefix.length));
  if (parts === null) fail('');
  if (parts.host === undefined) failUnlessQuiet(cfg.quiet, 'Error: Invalid proxy.\n');
  const username = urlDecode(parts.username);
  const password = urlDecode(parts.password);
  if (username === null || password === null) fail('');
  let port = 1080;
  if (parts.port !== undefined) {
    port = atoi(parts.port);
    if (port < 1 || port > 65535) {
      failUnlessQuiet(cfg.quiet, `Error: Invalid proxy port ${port}\n`);
    }
  }
  cfg.proxy = { host: parts.host, port };
  if (username !== undefined) cfg.proxy.username = username;
  if (password !== undefined) cfg.proxy.password = password;
}
