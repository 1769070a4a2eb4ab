/**
 * Small servers the transport tests start on 127.0.0.1: a SOCKS5 proxy
 * (RFC 1928/1929) and a UDP DNS responder that answers SRV questions.
 * Both do just enough for the tests and record what they were asked.
 */
import { createSocket } from 'node:dgram';
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

export interface SrvAnswer {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/**
 * A DNS server on UDP 127.0.0.1 answering SRV questions from `zone`
 * (name -> answers); any other name gets NXDOMAIN.
 */
export async function startDnsServer(
  t: TestContext,
  zone: Record<string, SrvAnswer[]>,
): Promise<{ address: string; questions: string[] }> {
  const questions: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    const { name, end } = readName(query, 12);
    questions.push(name);
    const answers = zone[name.toLowerCase()];
    const reply = dnsReply(query, end + 4, answers);
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.after(() => socket.close());
  return { address: `127.0.0.1:${socket.address().port}`, questions };
}

function readName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = offset;
  while (buf[pos]! > 0) {
    const len = buf[pos]!;
    labels.push(buf.toString('ascii', pos + 1, pos + 1 + len));
    pos += len + 1;
  }
  return { name: labels.join('.'), end: pos + 1 };
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean);
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])),
    Buffer.from([0]),
  ]);
}

function dnsReply(query: Buffer, questionEnd: number, answers?: SrvAnswer[]): Buffer {
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  // Response, recursion desired/available; rcode 3 (NXDOMAIN) if unknown.
  header.writeUInt16BE(answers ? 0x8180 : 0x8183, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers?.length ?? 0, 6);
  const records = (answers ?? []).map((a) => {
    const target = encodeName(a.target);
    const rdata = Buffer.alloc(6);
    rdata.writeUInt16BE(a.priority, 0);
    rdata.writeUInt16BE(a.weight, 2);
    rdata.writeUInt16BE(a.port, 4);
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // name: pointer to the question
    fixed.writeUInt16BE(33, 2); // type SRV
    fixed.writeUInt16BE(1, 4); // class IN
    fixed.writeUInt32BE(60, 6); // TTL
    fixed.writeUInt16BE(6 + target.length, 10);
    return Buffer.concat([fixed, rdata, target]);
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}
