/**
 * MQTT over WebSocket (MQTT 6.0): binary frames, sub-protocol "mqtt"
 * ("mqttv3.1" for MQTT 3.1). The WebSocket runs over a socket this side
 * already opened, so a SOCKS5 proxy or SRV target works as for TCP.
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { transportError } from '../errors.js';
import type { WebSocketOptions } from '../options.js';

export interface WsTarget {
  secure: boolean;
  host: string;
  port: number;
}

export function openWebSocket(
  socket: Socket,
  target: WsTarget,
  version: 3 | 4 | 5,
  options: WebSocketOptions = {},
  signal?: AbortSignal,
): Promise<WebSocket> {
  const { secure, host, port } = target;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const path = options.path ?? '/mqtt';
  const url = `${secure ? 'wss' : 'ws'}://${hostPart}:${port}${path}`;
  const protocol = version === 3 ? 'mqttv3.1' : 'mqtt';
  const ws = new WebSocket(url, protocol, {
    createConnection: () => socket,
    perMessageDeflate: false,
    // The MQTT decoder enforces maximumPacketSize; frames are not packets.
    maxPayload: 0,
    headers: options.headers,
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    // Stays attached once open, as in socket.ts.
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      ws.terminate();
      socket.destroy();
      if (signal?.aborted) reject(signal.reason);
      else reject(transportError('WEBSOCKET_FAILED', `WebSocket to ${url} failed`, err));
    };
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    ws.on('error', fail);
    ws.once('unexpected-response', (_req, res) => {
      fail(new Error(`HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
    });
    ws.once('open', () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(ws);
    });
  });
}
