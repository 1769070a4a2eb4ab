/**
 * Opens the Link the options ask for. The steps stack: find the target
 * (SRV lookup or host:port), reach it (Unix socket, SOCKS5 proxy or TCP),
 * secure it (TLS, TLS-PSK), frame it (WebSocket). Each SRV target is tried
 * in turn until one connects.
 */
import type { Socket } from 'node:net';
import type { MqttError } from '../errors.js';
import { type Link, SocketLink, WebSocketLink } from '../link.js';
import type { ResolvedOptions } from '../options.js';
import { openTcp, openTls, openUnix } from './socket.js';
import { openSocks5, parseProxyUrl } from './socks5.js';
import { type HostPort, srvTargets } from './srv.js';
import { applyTcpSettings } from './tcp-options.js';
import { tlsOptions } from './tls-options.js';
import { openWebSocket } from './websocket.js';

/** True if the options mean a TLS layer. */
export function isSecure(o: ResolvedOptions): boolean {
  return o.transport === 'tls' || o.transport === 'wss';
}

export async function openLink(o: ResolvedOptions, signal: AbortSignal): Promise<Link> {
  if (o.transport === 'unix') {
    if (!o.path) throw new Error('unreachable: unix transport without path');
    return new SocketLink(await openUnix(o.path, signal));
  }
  const targets: HostPort[] = o.srv
    ? await srvTargets(o.host, isSecure(o), o.dnsServers)
    : [{ host: o.host, port: o.port }];
  let lastError: MqttError | undefined;
  for (const target of targets) {
    try {
      return await openTarget(o, target, signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      lastError = err as MqttError;
    }
  }
  throw lastError;
}

async function openTarget(
  o: ResolvedOptions,
  target: HostPort,
  signal: AbortSignal,
): Promise<Link> {
  const { host, port } = target;
  const noDelay = o.noDelay ?? true;
  let socket: Socket = o.proxy
    ? await openSocks5(
        parseProxyUrl(o.proxy),
        { host, port },
        o.bindAddress,
        noDelay,
        signal,
      )
    : await openTcp({ host, port, localAddress: o.bindAddress, noDelay }, signal);
  try {
    applyTcpSettings(socket, o);
    if (isSecure(o)) socket = await openTls(socket, await tlsOptions(o, host), signal);
    if (o.transport === 'ws' || o.transport === 'wss') {
      const secure = o.transport === 'wss';
      const v = o.protocolVersion;
      const ws = await openWebSocket(
        socket,
        { secure, host, port },
        v,
        o.websocket,
        signal,
      );
      return new WebSocketLink(ws);
    }
  } catch (err) {
    socket.destroy();
    throw err;
  }
  return new SocketLink(socket);
}
