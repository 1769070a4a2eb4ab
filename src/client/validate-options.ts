/**
 * Checks resolved options before anything is opened, so that a wrong
 * option is a UsageError('INVALID_OPTION') from the constructor rather
 * than a confusing failure on the wire.
 */
import { isValidTopicName } from '../protocol/index.js';
import { hasKeys } from './connect-packet.js';
import { UsageError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { parseProxyUrl } from './transport/socks5.js';

const TRANSPORTS = ['tcp', 'tls', 'ws', 'wss', 'unix'];

export function validateOptions(o: ResolvedOptions): void {
  const fail = (message: string): never => {
    throw new UsageError('INVALID_OPTION', message);
  };
  if (![3, 4, 5].includes(o.protocolVersion)) fail('protocolVersion must be 3, 4 or 5');
  if (!TRANSPORTS.includes(o.transport)) fail(`unknown transport '${o.transport}'`);
  if (o.transport === 'unix' && !o.path) fail("the 'unix' transport needs a path");
  if (!isPort(o.port) && o.transport !== 'unix') fail(`bad port ${o.port}`);
  if (!Number.isInteger(o.keepalive) || o.keepalive < 0 || o.keepalive > 65535) {
    fail('keepalive must be 0..65535 seconds');
  }
  if (o.protocolVersion === 3 && (o.clientId.length < 1 || o.clientId.length > 23)) {
    // MQTT 3.1 servers may refuse ids outside 1..23 characters.
    fail('MQTT 3.1 needs a client id of 1 to 23 characters');
  }
  if (o.protocolVersion === 4 && !o.clean && o.clientId === '') {
    // [MQTT-3.1.3-7] an empty id needs Clean Session 1.
    fail('a persistent session (clean: false) needs a client id');
  }
  if (o.password !== undefined && o.username === undefined && o.protocolVersion < 5) {
    // [MQTT-3.1.2-22] MQTT 3.x has no password without a user name.
    fail('a password needs a username before MQTT 5');
  }
  checkWill(o, fail);
  checkTcp(o, fail);
  if (o.protocolVersion < 5 && o.properties && hasKeys(o.properties)) {
    fail('CONNECT properties need MQTT 5');
  }
  if (o.auth && !o.properties?.authenticationMethod) {
    fail('an auth handler needs properties.authenticationMethod');
  }
  if (o.proxy) parseProxyUrl(o.proxy);
  if (o.psk && (o.transport === 'tcp' || o.transport === 'ws')) {
    fail('PSK needs a TLS transport');
  }
  const key = o.psk?.key;
  if (typeof key === 'string' && !/^[0-9a-fA-F]+$/.test(key)) {
    fail('the PSK key must be hexadecimal digits');
  }
}

function checkWill(o: ResolvedOptions, fail: (message: string) => never): void {
  const will = o.will;
  if (!will) return;
  if (!isValidTopicName(will.topic)) fail(`invalid will topic '${will.topic}'`);
  if (will.qos !== undefined && ![0, 1, 2].includes(will.qos))
    fail('will QoS must be 0-2');
  if (o.protocolVersion < 5 && will.properties && hasKeys(will.properties)) {
    fail('will properties need MQTT 5');
  }
}

/**
 * Linux's largest keep-alive idle time and interval (seconds), probe
 * count and TCP_USER_TIMEOUT (an int of ms). setsockopt refuses more, or
 * wraps it (2**32 ms became 0, the system's default), and the socket
 * would silently go without the setting.
 */
const TCP_MAX = { idle: 32767, interval: 32767, count: 127, userTimeout: 2147483647 };

function checkTcp(o: ResolvedOptions, fail: (message: string) => never): void {
  const { tcpKeepalive: k, tcpUserTimeout } = o;
  const inRange = (n: number | undefined, max: number) =>
    Number.isInteger(n) && n! > 0 && n! <= max;
  const optional = (n: number | undefined, max: number) =>
    n === undefined || inRange(n, max);
  if (
    k !== undefined &&
    // The idle time is what turns keep-alive on: it is not optional.
    !(
      typeof k === 'object' &&
      k !== null &&
      inRange(k.idle, TCP_MAX.idle) &&
      optional(k.interval, TCP_MAX.interval) &&
      optional(k.count, TCP_MAX.count)
    )
  ) {
    fail(
      'tcpKeepalive idle and interval must be whole numbers of seconds from 1 to ' +
        `${TCP_MAX.idle}, count a whole number from 1 to ${TCP_MAX.count}`,
    );
  }
  const t = tcpUserTimeout;
  if (t !== undefined && !(Number.isInteger(t) && t >= 0 && t <= TCP_MAX.userTimeout)) {
    // 0 is the system's default, as setsockopt takes it.
    fail(`tcpUserTimeout must be a whole number of ms from 0 to ${TCP_MAX.userTimeout}`);
  }
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port < 65536;
}
