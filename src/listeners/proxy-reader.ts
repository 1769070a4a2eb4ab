/**
 * Reads a PROXY header off a new socket before anything else does, and
 * applies the listener's rules to it: proxy_protocol_v2_require_tls, and
 * require_certificate / use_identity_as_username when TLS ends at the
 * proxy. Bytes after the header are pushed back for the next reader (TLS,
 * HTTP or MQTT). A bad header closes the socket with a log line.
 */
import type { Socket } from 'node:net';
import { type Logger, LogType } from '../log/log-types.js';
import {
  type ProxyHeader,
  type ProxyParse,
  parseProxyV1,
  parseProxyV2,
} from './proxy-protocol.js';
import { type PeerInfo, peerOf } from './socket-transport.js';

export interface ProxyPolicy {
  version: 1 | 2;
  /** proxy_protocol_v2_require_tls: refuse clients that did not use TLS. */
  requireTls: boolean;
  /**
   * require_certificate on a listener whose TLS ends at the proxy: the v2
   * header must report a verified client certificate.
   */
  requireCertificate: boolean;
  /** With requireCertificate: the certificate's CN becomes the username. */
  useIdentityAsUsername: boolean;
}

/**
 * Calls `done` with the client's address once the header is read; on a bad
 * header, a timeout or a close, destroys the socket and never calls it.
 */
export function readProxyHeader(
  socket: Socket,
  policy: ProxyPolicy,
  log: Logger,
  timeoutMs: number,
  done: (peer: PeerInfo) => void,
): void {
  const parse = policy.version === 1 ? parseProxyV1 : parseProxyV2;
  let buffered: Buffer | undefined;
  const stop = () => {
    socket.pause();
    socket.off('data', onData);
    clearTimeout(timer);
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered ? Buffer.concat([buffered, chunk]) : chunk;
    const result = parse(buffered);
    if (result.kind === 'more') return;
    stop();
    const peer = accepted(socket, result, policy, log);
    if (peer === undefined) {
      socket.destroy();
      return;
    }
    const rest = buffered.subarray((result as { header: ProxyHeader }).header.length);
    if (rest.length > 0) socket.unshift(rest);
    done(peer);
  };
  const timer = setTimeout(() => {
    stop();
    socket.destroy();
  }, timeoutMs);
  socket.on('data', onData);
  socket.once('close', () => clearTimeout(timer));
}

/** The client's PeerInfo, or undefined (logged) when it is refused. */
function accepted(
  socket: Socket,
  result: Exclude<ProxyParse, { kind: 'more' }>,
  policy: ProxyPolicy,
  log: Logger,
): PeerInfo | undefined {
  const own = peerOf(socket);
  if (result.kind === 'bad') {
    // Mosquitto's v1 line names no address; its v2 line names the peer.
    log.write(
      LogType.Notice,
      policy.version === 1
        ? 'Connection rejected, corrupt PROXY header.'
        : `Connection from ${own.remoteAddress}:${own.remotePort} rejected, ` +
            'corrupt PROXY header.',
    );
    return undefined;
  }
  const h = result.header;
  const peer: PeerInfo = {
    remoteAddress: h.address ?? own.remoteAddress,
    remotePort: h.port ?? own.remotePort,
    encrypted: h.tls,
  };
  const who = `Connection from ${peer.remoteAddress}:${peer.remotePort}`;
  if (policy.version === 2 && policy.requireTls && !h.tls) {
    log.write(LogType.Notice, `${who} rejected, client did not connect using TLS.`);
    return undefined;
  }
  if (policy.version === 2 && policy.requireCertificate) {
    if (!h.certificate) {
      log.write(LogType.Notice, `${who} rejected, client did not provide a certificate.`);
      return undefined;
    }
    if (policy.useIdentityAsUsername) {
      peer.identity = { username: h.commonName, verified: false };
    }
  }
  if (h.tlsVersion !== undefined && h.cipher !== undefined) {
    log.write(LogType.Notice, `${who} negotiated ${h.tlsVersion} cipher ${h.cipher}`);
  }
  return peer;
}
