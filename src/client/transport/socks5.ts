/**
 * A SOCKS5 client (RFC 1928) with "no authentication" and username/password
 * (RFC 1929), enough for Mosquitto's `--proxy socks5h://user:pass@host:port`.
 * With socks5h the proxy resolves the broker's host name; with socks5 this
 * side resolves it and sends the address.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { TransportError, UsageError } from '../errors.js';
import { openTcp } from './socket.js';

export interface ProxyUrl {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** socks5h: the proxy resolves host names. */
  remoteDns: boolean;
}

/** Parses `socks5h://[user[:pass]@]host[:port]` (default port 1080). */
export function parseProxyUrl(text: string): ProxyUrl {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError('INVALID_OPTION', `bad proxy URL '${text}'`);
  }
  if (url.protocol !== 'socks5h:' && url.protocol !== 'socks5:') {
    throw new UsageError('INVALID_OPTION', `proxy must be socks5h:// or socks5://`);
  }
  const proxy: ProxyUrl = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 1080,
    remoteDns: url.protocol === 'socks5h:',
  };
  if (url.username) proxy.username = decodeURIComponent(url.username);
  if (url.password) proxy.password = decodeURIComponent(url.password);
  return proxy;
}

const REPLIES = [
  'succeeded',
  'general SOCKS server failure',
  'connection not allowed by ruleset',
  'network unreachable',
  'host unreachable',
  'connection refused',
  'TTL expired',
  'command not supported',
  'address type not supported',
];

/** A socket connected through the proxy to host:port. */
export async function openSocks5(
  proxy: ProxyUrl,
  destination: { host: string; port: number },
  localAddress: string | undefined,
  noDelay: boolean,
  signal?: AbortSignal,
): Promise<Socket> {
  const { host, port } = destination;
  const target = proxy.remoteDns || isIP(host) ? host : (await lookup(host)).address;
  const proxyTarget = { host: proxy.host, port: proxy.port, localAddress, noDelay };
  const socket = await openTcp(proxyTarget, signal);
  const onAbort = () => socket.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const reader = new Reader(socket);
    await greet(socket, reader, proxy);
    socket.write(connectRequest(target, port));
    await readReply(reader);
    reader.release();
    return socket;
  } catch (err) {
    socket.destroy();
    if (signal?.aborted) throw signal.reason;
    if (err instanceof TransportError) throw err;
    throw new TransportError('PROXY_FAILED', `SOCKS5 proxy: ${(err as Error).message}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function greet(socket: Socket, reader: Reader, proxy: ProxyUrl): Promise<void> {
  const withAuth = proxy.username !== undefined;
  socket.write(Buffer.from(withAuth ? [5, 2, 0, 2] : [5, 1, 0]));
  const [version, method] = await reader.read(2);
  if (version !== 5) throw proxyError('not a SOCKS5 proxy');
  if (method === 0) return;
  if (method !== 2 || !withAuth) throw proxyError('no acceptable authentication method');
  const user = Buffer.from(proxy.username ?? '');
  const pass = Buffer.from(proxy.password ?? '');
  if (user.length > 255 || pass.length > 255) throw proxyError('credentials too long');
  socket.write(
    Buffer.concat([
      Buffer.from([1, user.length]),
      user,
      Buffer.from([pass.length]),
      pass,
    ]),
  );
  const [, status] = await reader.read(2);
  if (status !== 0) throw proxyError('username/password refused');
}

function connectRequest(host: string, port: number): Buffer {
  const family = isIP(host);
  let address: Buffer;
  if (family === 4) {
    address = Buffer.from([1, ...host.split('.').map(Number)]);
  } else if (family === 6) {
    address = Buffer.concat([Buffer.from([4]), ipv6Bytes(host)]);
  } else {
    const name = Buffer.from(host);
    if (name.length > 255) throw proxyError('host name too long');
    address = Buffer.concat([Buffer.from([3, name.length]), name]);
  }
  const portBytes = Buffer.from([port >> 8, port & 0xff]);
  return Buffer.concat([Buffer.from([5, 1, 0]), address, portBytes]);
}

async function readReply(reader: Reader): Promise<void> {
  const [version, reply, , atyp] = await reader.read(4);
  if (version !== 5) throw proxyError('bad reply');
  if (reply !== 0) {
    throw proxyError(`connect refused: ${REPLIES[reply!] ?? `code ${reply}`}`);
  }
  let length = 0;
  if (atyp === 1) length = 4;
  else if (atyp === 4) length = 16;
  else if (atyp === 3) length = (await reader.read(1))[0]!;
  else throw proxyError('bad address type in reply');
  await reader.read(length + 2);
}

function ipv6Bytes(host: string): Buffer {
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  let text = host;
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    text = `${host.slice(0, v4.index)}${hex(a, b)}:${hex(c, d)}`;
  }
  const [head = '', tail = ''] = text.split('::');
  const parse = (s: string) => (s ? s.split(':').map((h) => Number.parseInt(h, 16)) : []);
  const a = parse(head);
  const b = parse(tail);
  const groups = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  const buf = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) buf.writeUInt16BE(groups[i] ?? 0, i * 2);
  return buf;
}

function proxyError(message: string): TransportError {
  return new TransportError('PROXY_FAILED', `SOCKS5 proxy: ${message}`);
}

/** Reads exact byte counts from a socket during the handshake. */
class Reader {
  #buffered = Buffer.alloc(0);
  #want = 0;
  #wake: (() => void) | undefined;
  #failure: Error | undefined;
  readonly #socket: Socket;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', this.#onData);
    socket.on('error', this.#onEnd);
    socket.on('close', this.#onEnd);
  }

  async read(n: number): Promise<Buffer> {
    while (this.#buffered.length < n) {
      if (this.#failure) throw this.#failure;
      this.#want = n;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    const out = this.#buffered.subarray(0, n);
    this.#buffered = this.#buffered.subarray(n);
    return out;
  }

  /** Stops listening; bytes past the reply go back to the socket. */
  release(): void {
    const s = this.#socket;
    s.off('data', this.#onData);
    s.off('error', this.#onEnd);
    s.off('close', this.#onEnd);
    // Paused, so nothing is lost before the next reader attaches.
    s.pause();
    if (this.#buffered.length > 0) s.unshift(this.#buffered);
  }

  readonly #onData = (chunk: Buffer): void => {
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    if (this.#buffered.length >= this.#want) this.#wakeUp();
  };

  readonly #onEnd = (err?: Error | boolean): void => {
    this.#failure = proxyError(err instanceof Error ? err.message : 'connection closed');
    this.#wakeUp();
  };

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
