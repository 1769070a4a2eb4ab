/**
 * TCP settings of the connection: keep-alive probes and the user timeout
 * (Mosquitto 2.1's bridge_tcp_keepalive and bridge_tcp_user_timeout).
 *
 * Node itself can only turn keep-alive on and set the idle time before
 * the first probe. The interval between probes, their count and
 * TCP_USER_TIMEOUT are set through the optional package net-keepalive,
 * which calls setsockopt() on the socket's descriptor. It is loaded the
 * first time it is needed; where it is missing or cannot load (no
 * prebuilt binary for the platform), those three are not applied and
 * tcpSocketOptionsSupported() says so, for the caller to warn.
 */
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/** The part of net-keepalive used here; times in milliseconds. */
interface KeepaliveLibrary {
  setKeepAliveInterval(socket: Socket, ms: number): boolean;
  setKeepAliveProbes(socket: Socket, count: number): boolean;
  setUserTimeout(socket: Socket, ms: number): boolean;
}

/** Keep-alive probes: all in seconds but `count`. */
export interface TcpKeepalive {
  /** Idle time before the first probe. */
  idle: number;
  /** Time between probes (needs net-keepalive). */
  interval?: number;
  /** Unanswered probes before the connection is dropped (needs net-keepalive). */
  count?: number;
}

export interface TcpSettings {
  tcpKeepalive?: TcpKeepalive;
  /** TCP_USER_TIMEOUT in ms (Linux; needs net-keepalive). */
  tcpUserTimeout?: number;
}

let library: KeepaliveLibrary | null | undefined;

function load(): KeepaliveLibrary | null {
  if (library === undefined) {
    try {
      library = createRequire(import.meta.url)('net-keepalive') as KeepaliveLibrary;
    } catch {
      library = null;
    }
  }
  return library;
}

/**
 * True when the keep-alive interval and count and the user timeout can be
 * set (net-keepalive loads); the idle time can always be set.
 */
export function tcpSocketOptionsSupported(): boolean {
  return load() !== null;
}

/** Applies the settings to a connected TCP socket. */
export function applyTcpSettings(socket: Socket, settings: TcpSettings): void {
  const { tcpKeepalive: keepalive, tcpUserTimeout } = settings;
  if (keepalive === undefined && tcpUserTimeout === undefined) return;
  if (keepalive !== undefined) socket.setKeepAlive(true, keepalive.idle * 1000);
  const lib = load();
  if (lib === null) return;
  // LIMIT(portability): a system without one of these options (macOS has
  // no TCP_USER_TIMEOUT) makes setsockopt fail; the connection goes on
  // without it rather than not at all.
  const attempt = (set: () => boolean) => {
    try {
      set();
    } catch {}
  };
  if (keepalive?.interval !== undefined) {
    const ms = keepalive.interval * 1000;
    attempt(() => lib.setKeepAliveInterval(socket, ms));
  }
  if (keepalive?.count !== undefined) {
    const count = keepalive.count;
    attempt(() => lib.setKeepAliveProbes(socket, count));
  }
  if (tcpUserTimeout !== undefined) {
    attempt(() => lib.setUserTimeout(socket, tcpUserTimeout));
  }
}
