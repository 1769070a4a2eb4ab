/**
 * A small SOCKS5 proxy (RFC 1928/1929) the transport tests start on
 * 127.0.0.1. It does just enough for the tests and records what it was
 * asked. (The DNS server for SRV lookups is test/helpers/dns-server.ts.)
 */
import { connect, createServer, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { listen } from './fake-server.js';

export interface SocksRequest {
  /** 1 IPv4, 3 domain name, 4 IPv6. */
  atyp: number;
  host: string;
  port: number;
  username?: string;
  password?: string;
}

export interface SocksProxy {
  port: number;
  requests: SocksRequest[];
}

/**
 * A SOCKS5 proxy that connects every request to 127.0.0.1:`forwardPort`
 * whatever the host (so a name like broker.invalid works). With
 * `credentials`, it demands username/password authentication.
 */
export async function startSocksProxy(
  t: TestContext,
  forwardPort: number,
  credentials?: { username: string; password: string },
): Promise<SocksProxy> {
  const requests: SocksRequest[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => {});
    handle(socket, forwardPort, credentials, requests).catch(() => socket.destroy());
  });
  const port = await listen(t, server);
  return { port, requests };
}

async function handle(
  socket: Socket,
  forwardPort: number,
  credentials: { username: string; password: string } | undefined,
  requests: SocksRequest[],
): Promise<void> {
  const read = reader(socket);
  const [, count] = await read(2);
  const methods = [...(await read(count!))];
  const wanted = credentials ? 2 : 0;
  if (!methods.includes(wanted)) {
    socket.end(Buffer.from([5, 0xff]));
    return;
  }
  socket.write(Buffer.from([5, wanted]));
  const request: Partial<SocksRequest> = {};
  if (credentials) {
    const [, ulen] = await read(2);
    request.username = (await read(ulen!)).toString();
    const [plen] = await read(1);
    request.password = (await read(plen!)).toString();
    const ok =
      request.username === credentials.username &&
      request.password === credentials.password;
    socket.write(Buffer.from([1, ok ? 0 : 1]));
    if (!ok) return void socket.end();
  }
  const [, , , atyp] = await read(4);
  request.atyp = atyp!;
  if (atyp === 1) request.host = [...(await read(4))].join('.');
  else if (atyp === 3) request.host = (await read((await read(1))[0]!)).toString();
  else request.host = (await read(16)).toString('hex');
  request.port = (await read(2)).readUInt16BE(0);
  requests.push(request as SocksRequest);
  const upstream = connect(forwardPort, '127.0.0.1');
  upstream.on('error', () => socket.destroy());
  upstream.once('connect', () => {
    socket.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
    socket.removeAllListeners('data');
    socket.pipe(upstream).pipe(socket);
  });
}

/** Reads exact byte counts from a socket. */
function reader(socket: Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    wake?.();
  });
  return async (n) => {
    while (buffered.length < n) await new Promise<void>((r) => (wake = r));
    const out = buffered.subarray(0, n);
    buffered = buffered.subarray(n);
    return out;
  };
}
