/**
 * Opening plain and TLS sockets as promises, failures as TransportError.
 * An AbortSignal (the connect timeout, or disconnect()) destroys a socket
 * still opening and rejects with the signal's reason.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type MqttErrorCode, TransportError, transportError } from '../errors.js';
import { ocspProblem } from './ocsp.js';

/**
 * tls.connect passes requestOCSP on to its TLSSocket; @types/node lists
 * it only for the TLSSocket constructor.
 */
export type TlsConnectOptions = ConnectionOptions & { requestOCSP?: boolean };

export interface TcpTarget {
  host: string;
  port: number;
  localAddress?: string | undefined;
  noDelay: boolean;
}

/** A connected TCP socket. */
export function openTcp(target: TcpTarget, signal?: AbortSignal): Promise<Socket> {
  const { host, port, localAddress, noDelay } = target;
  const options = localAddress ? { host, port, localAddress } : { host, port };
  const socket = netConnect(options);
  socket.setNoDelay(noDelay);
  const what = `cannot connect to ${host}:${port}`;
  return whenOpen(socket, 'connect', what, 'CONNECT_FAILED', signal);
}

/** A connected Unix-domain socket. */
export function openUnix(path: string, signal?: AbortSignal): Promise<Socket> {
  const what = `cannot connect to ${path}`;
  return whenOpen(netConnect({ path }), 'connect', what, 'CONNECT_FAILED', signal);
}

/**
 * TLS over an already connected socket; resolves after the handshake.
 * With `requestOCSP` the server must staple a good OCSP response for its
 * certificate, or the socket is closed and the promise rejects.
 */
export async function openTls(
  socket: Socket,
  options: TlsConnectOptions,
  signal?: AbortSignal,
): Promise<TLSSocket> {
  const tls = tlsConnect({ ...options, socket });
  let stapled: Buffer | undefined;
  // Node reports "no response" as null.
  const onResponse = (r: Buffer | null) => (stapled = r ?? undefined);
  if (options.requestOCSP) tls.once('OCSPResponse', onResponse);
  const what = 'TLS handshake failed';
  const open = await whenOpen(tls, 'secureConnect', what, 'TLS_FAILED', signal);
  if (!options.requestOCSP) return open;
  const peer = open.getPeerCertificate(true);
  const problem = ocspProblem({
    response: stapled,
    cert: peer.raw,
    issuer: peer.issuerCertificate?.raw,
  });
  if (problem === null) return open;
  open.destroy();
  throw new TransportError('OCSP_FAILED', problem);
}

function whenOpen<S extends Socket>(
  socket: S,
  event: 'connect' | 'secureConnect',
  message: string,
  code: MqttErrorCode,
  signal: AbortSignal | undefined,
): Promise<S> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const onAbort = () => socket.destroy(signal?.reason);
    // Stays attached once open: an error before the Link takes the socket
    // over must not go unhandled. The Link sees it through 'close'.
    const onError = (err: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(signal?.aborted ? signal.reason : transportError(code, message, err));
    };
    if (signal?.aborted) {
      onError(signal.reason);
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', onError);
    socket.once(event, () => {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(socket);
    });
  });
}
